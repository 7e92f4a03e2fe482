"""boto3's side of the retry parity test (tests/test_client_retries.c, docs/retries.md).

usage: retry_parity.py MOCK_URL MODE K...

For each k: one ThrottlingException rule that fires k times, a new boto3 client (a fresh
retry quota and rate limiter, as libbedrock's test makes a new client), one Converse call.
botocore runs in virtual time, as libbedrock's test does: its backoff sleep (botocore.endpoint)
and the adaptive token bucket's waits and clock (botocore.retries.bucket) move a virtual clock
instead of waiting, so the run takes no wall time; the attempts are unchanged. The C test
reads the attempts back from the mock's journal. Prints one line per call: k and
RetryAttempts + 1.
"""
import json
import os
import sys
import urllib.request

import threading
import time
import types

import boto3
import botocore.endpoint
import botocore.retries.bucket
from botocore.config import Config
from botocore.exceptions import ClientError


class _VirtualClock:
    """botocore.retries.bucket.Clock on a shared virtual time."""
    now = 1767225600.0

    def current_time(self):
        return _VirtualClock.now

    def sleep(self, seconds):
        _VirtualClock.now += seconds


class _VirtualCondition(threading.Condition):
    """The token bucket's wait for a token: advances the virtual clock by the timeout."""

    def wait(self, timeout=None):
        _VirtualClock.now += timeout or 0
        return True


class _VirtualTime:
    """Stands in for the time module inside botocore.endpoint: sleep advances the virtual clock."""

    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def sleep(seconds):
        _VirtualClock.now += seconds


def rule(url, k):
    urllib.request.urlopen(urllib.request.Request(url + "/_mock/rules", method="DELETE"))
    if k:
        body = json.dumps({"error": "ThrottlingException", "times": k}).encode()
        urllib.request.urlopen(urllib.request.Request(url + "/_mock/rules", data=body, method="POST"))


def main():
    url, mode, ks = sys.argv[1], sys.argv[2], [int(k) for k in sys.argv[3:]]
    botocore.endpoint.time = _VirtualTime()
    botocore.retries.bucket.Clock = _VirtualClock
    botocore.retries.bucket.threading = types.SimpleNamespace(Condition=_VirtualCondition, Lock=threading.Lock)
    os.environ.update(AWS_ACCESS_KEY_ID="AKIDPARITY", AWS_SECRET_ACCESS_KEY="parity-secret")
    for name in ("AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        os.environ.pop(name, None)
    for k in ks:
        rule(url, k)
        brt = boto3.session.Session(region_name="us-east-1").client(
            "bedrock-runtime", endpoint_url=url, config=Config(retries={"mode": mode}))
        try:
            meta = brt.converse(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                                messages=[{"role": "user", "content": [{"text": "Hello"}]}])["ResponseMetadata"]
        except ClientError as err:
            meta = err.response["ResponseMetadata"]
        print(k, meta.get("RetryAttempts", 0) + 1, flush=True)


if __name__ == "__main__":
    main()
