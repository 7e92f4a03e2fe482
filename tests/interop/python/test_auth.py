"""Credentials boto3 sends: SigV4 with long-term and session credentials, and Bedrock API keys."""
import hashlib

from sdk import client

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HELLO = [{"role": "user", "content": [{"text": "Hello from boto3"}]}]


def bearer_account(token):
    """The journal names a bearer caller by a digest of the token, never by the token."""
    return "bearer-" + hashlib.sha256(token.encode()).hexdigest()[:12]


def test_bearer_api_key_from_the_environment(mock):
    token = "bedrock-api-key-interop-py"
    resp = client(mock, AWS_BEARER_TOKEN_BEDROCK=token).converse(modelId=HAIKU, messages=HELLO)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    entry = mock.requests()[0]
    assert entry["account"] == bearer_account(token)
    assert entry["auth"].startswith("bearer")


def test_session_credentials_sign_the_request(mock):
    c = client(mock, AWS_ACCESS_KEY_ID="ASIAINTEROPSESSION", AWS_SESSION_TOKEN="interop-session-token")
    resp = c.converse(modelId=HAIKU, messages=HELLO)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    entry = mock.requests()[0]
    assert entry["account"] == "ASIAINTEROPSESSION"
    assert entry["auth"].startswith("sigv4")
