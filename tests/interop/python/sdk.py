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


# Shared request pieces of the interop cases (the JS suite's sdk.mjs has the same ones).
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"

# A weather tool and a toolChoice that forces it: the mock then answers with a toolUse block.
WEATHER_TOOLS = {
    "tools": [{
        "toolSpec": {
            "name": "get_weather",
            "description": "Current weather of a city",
            "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
        },
    }],
    "toolChoice": {"any": {}},
}

# A system prompt long enough to pass every model's cache minimum (docs/prompt-caching.md).
LONG_INSTRUCTIONS = " ".join(f"Rule {i}: answer politely and cite section {i}." for i in range(150))

# Extended thinking on a reasoning model (Claude's `thinking` field).
THINKING = {"thinking": {"type": "enabled", "budget_tokens": 1024}}


def hello(text="Hello from boto3"):
    """The one-message conversation most cases send."""
    return [{"role": "user", "content": [{"text": text}]}]
