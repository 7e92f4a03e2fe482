"""Credentials boto3 sends: SigV4 with long-term and session credentials, and Bedrock API keys.

The first cases run against the default (lenient) mock. The `strict_` cases start their mock with
`--auth strict --credentials <file>` (MOCK_ARGS), the file written into a temporary folder when
this module loads, and check real signatures and API keys (docs/auth.md).
"""
import atexit
import contextlib
import hashlib
import json
import os
import shutil
import tempfile

from botocore.exceptions import ClientError

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


# ---- --auth strict ----

PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0"

AKID, SECRET = "AKIDBOTO3STRICT", "boto3/strict+secret"
TEMP_AKID, TEMP_SECRET, TOKEN = "ASIABOTO3TEMP", "temporary/secret", "IQoJb3JpZ2luX2VjEXAMPLE//token=="
API_KEY = "bedrock-api-key-boto3-listed"

_DIR = tempfile.mkdtemp(prefix="brk-auth-")
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)
CREDENTIALS = os.path.join(_DIR, "credentials.json")
with open(CREDENTIALS, "w") as f:
    json.dump({
        "credentials": [
            {"access_key_id": AKID, "secret_access_key": SECRET, "account_id": "210987654321"},
            {"access_key_id": TEMP_AKID, "secret_access_key": TEMP_SECRET, "session_token": TOKEN},
        ],
        "api_keys": [{"key": API_KEY, "account_id": "123412341234"}],
    }, f)

STRICT = ["--auth", "strict", "--credentials", CREDENTIALS]
MOCK_ARGS = {name: STRICT for name in (
    "test_strict_accepts_a_model_id_with_a_colon",
    "test_strict_accepts_an_inference_profile_arn",
    "test_strict_accepts_a_session_token",
    "test_strict_refuses_a_wrong_secret_with_the_exact_error",
    "test_strict_accepts_a_listed_bearer_token",
    "test_strict_refuses_an_unlisted_bearer_token",
)}

_AUTH_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK")


@contextlib.contextmanager
def auth_env():
    """Set credentials for one client and put the previous ones back, so other suites keep theirs."""
    saved = {k: os.environ.get(k) for k in _AUTH_ENV}
    for k in _AUTH_ENV:
        os.environ.pop(k, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def strict_client(mock, **env):
    """A client that signs with exactly `env`'s credentials (call it inside auth_env)."""
    return client(mock, **env)


def expect_error(call, code, status):
    try:
        call()
    except ClientError as err:
        assert err.response["Error"]["Code"] == code, err.response
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status, err.response
        return err.response["Error"]["Message"]
    raise AssertionError(f"expected {code}")


def test_strict_accepts_a_model_id_with_a_colon(mock):
    with auth_env():
        c = strict_client(mock, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET)
        assert c.converse(modelId=HAIKU, messages=HELLO)["stopReason"] == "end_turn"
    entry = mock.requests()[0]
    assert entry["account"] == "210987654321" and entry["auth"] == "sigv4", entry


def test_strict_accepts_an_inference_profile_arn(mock):
    with auth_env():
        c = strict_client(mock, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET)
        assert c.converse(modelId=PROFILE_ARN, messages=HELLO)["stopReason"] == "end_turn"
    assert mock.requests()[0]["auth"] == "sigv4"


def test_strict_accepts_a_session_token(mock):
    with auth_env():
        c = strict_client(mock, AWS_ACCESS_KEY_ID=TEMP_AKID, AWS_SECRET_ACCESS_KEY=TEMP_SECRET,
                          AWS_SESSION_TOKEN=TOKEN)
        assert c.converse(modelId=HAIKU, messages=HELLO)["stopReason"] == "end_turn"
    entries = mock.requests()
    assert entries[0]["account"] == TEMP_AKID and entries[0]["auth"] == "sigv4", entries
    assert TOKEN not in json.dumps(entries) and TEMP_SECRET not in json.dumps(entries)


def test_strict_refuses_a_wrong_secret_with_the_exact_error(mock):
    with auth_env():
        c = strict_client(mock, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY="not-the-secret")
        message = expect_error(lambda: c.converse(modelId=HAIKU, messages=HELLO), "InvalidSignatureException", 403)
    first = ("The request signature we calculated does not match the signature you provided. Check your AWS "
             "Secret Access Key and signing method. Consult the service documentation for details.")
    assert message.startswith(first + "\n\nThe Canonical String for this request should have been\n'POST\n"
                              "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse\n"), message
    assert "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n" in message, message
    entry = mock.requests()[0]
    assert entry["error_message"] == first and entry["auth"] == "invalid-signature", entry


def test_strict_accepts_a_listed_bearer_token(mock):
    with auth_env():
        c = strict_client(mock, AWS_BEARER_TOKEN_BEDROCK=API_KEY)
        assert c.converse(modelId=HAIKU, messages=HELLO)["stopReason"] == "end_turn"
    entry = mock.requests()[0]
    assert entry["auth"] == "bearer" and entry["account"] == "123412341234", entry
    assert API_KEY not in json.dumps(entry)


def test_strict_refuses_an_unlisted_bearer_token(mock):
    with auth_env():
        c = strict_client(mock, AWS_BEARER_TOKEN_BEDROCK="bedrock-api-key-nobody-listed-this")
        message = expect_error(lambda: c.converse(modelId=HAIKU, messages=HELLO), "AccessDeniedException", 403)
    assert message == "Authentication failed: Please make sure your API Key is valid.", message
    assert mock.requests()[0]["auth"] == "invalid-api-key"
