"""Endpoint discovery: boto3 finds the mock through AWS_ENDPOINT_URL_BEDROCK_RUNTIME alone."""
from sdk import client

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HELLO = [{"role": "user", "content": [{"text": "Hello from boto3"}]}]


def test_endpoint_comes_from_the_environment(mock):
    # The service-specific variable wins over the global one, which points nowhere.
    c = client(mock, AWS_ENDPOINT_URL="http://127.0.0.1:9")
    assert c.meta.endpoint_url == mock.url
    resp = c.converse(modelId=HAIKU, messages=HELLO)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    entries = mock.requests()
    assert len(entries) == 1
    assert entries[0]["path"] == "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    assert entries[0]["operation"] == "Converse"
