"""The boto3 side of bench/bench_client.c: the same sequential Converse calls against the same
mock, and botocore's SigV4 signing of the same request, for the same time. Prints two numbers
(calls per second, signatures per second), or "- -" when boto3 is not importable.
Usage: python3 bench/boto3_converse.py ENDPOINT_URL SECONDS"""
import json
import sys
import time

try:
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials
except ImportError:
    print("- -")
    sys.exit(0)

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "Summarise the benchmark in one line."}]}]
SYSTEM = [{"text": "Be brief."}]


def converse_rate(url, seconds):
    client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=url,
                          aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret",
                          config=Config(retries={"total_max_attempts": 1}))
    call = lambda: client.converse(modelId=MODEL, messages=MESSAGES, system=SYSTEM,
                                   inferenceConfig={"maxTokens": 256})
    for _ in range(20):
        call()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        call()
        n += 1
    return n / (time.perf_counter() - start)


def signing_rate(url, seconds):
    creds = Credentials("AKIDBENCH", "bench-secret")
    body = json.dumps({"messages": MESSAGES, "system": SYSTEM, "inferenceConfig": {"maxTokens": 256}})
    target = url + "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        req = AWSRequest(method="POST", url=target, data=body, headers={"Content-Type": "application/json"})
        SigV4Auth(creds, "bedrock", "us-east-1").add_auth(req)
        n += 1
    return n / (time.perf_counter() - start)


if __name__ == "__main__":
    url, seconds = sys.argv[1], float(sys.argv[2])
    print("%.1f %.1f" % (converse_rate(url, seconds), signing_rate(url, min(seconds, 1.0))))
