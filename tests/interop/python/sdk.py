"""boto3 clients pointed at a mock the way users do it: through AWS_ENDPOINT_URL_BEDROCK_RUNTIME."""
import os

import boto3
from botocore.config import Config


def client(mock, retry_mode="standard", max_attempts=1, **env):
    """A bedrock-runtime client whose endpoint comes only from the environment."""
    os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = mock.url
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDINTEROP")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "interop-secret")
    os.environ.pop("AWS_BEARER_TOKEN_BEDROCK", None)
    # Variables one test sets must not leak into the next (tests share this process).
    for name in ("AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ["AWS_ACCESS_KEY_ID"] = "AKIDINTEROP"
    os.environ.update(env)
    session = boto3.session.Session(region_name="us-east-1")
    config = Config(retries={"mode": retry_mode, "total_max_attempts": max_attempts})
    return session.client("bedrock-runtime", config=config)
