"""Companion of boto3-prompt-cache.json: a boto3 application that caches its system prompt.

Run it under the scenario (boto3 reads AWS_ENDPOINT_URL_BEDROCK_RUNTIME, the region, the dummy
credentials and AWS_RETRY_MODE / AWS_MAX_ATTEMPTS that `bedrock-scenario exec` exports):

    build/bin/bedrock-scenario exec scenarios/exec/boto3-prompt-cache.json -- python3 scenarios/exec/boto3-prompt-cache.py

The first call is throttled once by the scenario's rule: boto3's standard mode retries it after
a backoff of at most 1 s (real time: the command runs outside the virtual clock). Two questions
share a long system prompt ending in a cache point: the first writes the cache, the second reads
it. The scenario then checks the journal: the attempts of each call and the cache outcomes.
"""
import boto3

MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0"
RULES = " ".join("Rule %d: answer in one short sentence and cite the relevant section of the handbook." % i
                 for i in range(1, 81))
SYSTEM = [{"text": "You are the support assistant for the Acme handbook. " + RULES}, {"cachePoint": {"type": "default"}}]

client = boto3.client("bedrock-runtime")
for question in ("How long do refunds take?", "What are the support hours?"):
    answer = client.converse(modelId=MODEL, system=SYSTEM, inferenceConfig={"maxTokens": 200},
                             messages=[{"role": "user", "content": [{"text": question}]}])
    usage = answer["usage"]
    print(question, "->", usage["cacheWriteInputTokens"], "written,", usage["cacheReadInputTokens"], "read,",
          answer["ResponseMetadata"]["RetryAttempts"], "retries")
