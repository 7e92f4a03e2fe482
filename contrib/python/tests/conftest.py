"""Shared pieces of the plugin's own tests (run by `make test` through tests/contrib/run.sh).

The plugin is loaded either through its `pytest11` entry point (installed with pip) or with
`-p pytest_bedrock_mock.plugin` (from the source folder); pytester's inner runs do the same.
"""
import importlib.metadata
import os
import shutil

import pytest

pytest_plugins = ["pytester"]

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET = "anthropic.claude-3-5-sonnet-20241022-v2:0"  # prompt caching, minimum 1,024 tokens
HELLO = [{"role": "user", "content": [{"text": "Hello from the plugin"}]}]
# Long enough to pass every model's cache minimum (docs/prompt-caching.md).
LONG_INSTRUCTIONS = " ".join(f"Rule {i}: answer politely and cite section {i}." for i in range(150))


def _entry_point_loaded():
    try:
        eps = importlib.metadata.entry_points()
        group = eps.select(group="pytest11") if hasattr(eps, "select") else eps.get("pytest11", [])
    except Exception:
        return False
    return any(ep.name == "bedrock_mock" for ep in group)


# Arguments an inner pytester run needs to load the plugin the way this run did.
INNER_ARGS = [] if _entry_point_loaded() else ["-p", "pytest_bedrock_mock.plugin"]


def scenario_bin():
    """build/bin/bedrock-scenario next to the mock under test, or None (those tests then skip)."""
    mock_bin = os.environ.get("BEDROCK_MOCK_BIN", "")
    candidate = os.path.join(os.path.dirname(mock_bin), "bedrock-scenario") if mock_bin else ""
    return candidate if candidate and os.access(candidate, os.X_OK) else shutil.which("bedrock-scenario")


needs_scenario = pytest.mark.skipif(scenario_bin() is None, reason="bedrock-scenario not built (scenario runner)")


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore sleeps between attempts in real time (up to 1 s, then 2 s, in standard mode):
    make those sleeps zero so a throttle storm takes milliseconds. Standard mode only."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


@pytest.fixture
def brt(bedrock_mock):
    """make(max_attempts) -> a boto3 bedrock-runtime client in standard retry mode. It finds
    the mock only through the environment the fixture exported, as users' code does."""
    boto3 = pytest.importorskip("boto3")
    from botocore.config import Config

    def make(max_attempts=1, mode="standard"):
        return boto3.client("bedrock-runtime", config=Config(retries={"mode": mode, "total_max_attempts": max_attempts}))

    return make
