"""Prompt caching through boto3 (docs/prompt-caching.md): write, read, expiry and the errors."""
from botocore.exceptions import ClientError

from sdk import LONG_INSTRUCTIONS, client

SONNET = "anthropic.claude-3-5-sonnet-20241022-v2:0"  # prompt caching, minimum 1,024 tokens

MOCK_ARGS = {
    "test_cached_prefix_expires_after_five_minutes": ["--clock", "virtual"],
    "test_cache_below_minimum_reject_turns_a_short_prefix_into_a_400": ["--cache-below-minimum", "reject"],
    "test_cache_max_entries_bounds_the_store": ["--cache-max-entries", "1"],
}


def _ask(mock, question, system_text=LONG_INSTRUCTIONS):
    return client(mock).converse(
        modelId=SONNET,
        system=[{"text": system_text}, {"cachePoint": {"type": "default"}}],
        messages=[{"role": "user", "content": [{"text": question}]}],
    )["usage"]


def test_long_cached_system_prompt_writes_then_reads_the_same_tokens(mock):
    first = _ask(mock, "What does rule 3 say?")
    assert first["cacheWriteInputTokens"] > 1024, first
    assert first["cacheReadInputTokens"] == 0, first
    assert first["cacheDetails"] == [{"ttl": "5m", "inputTokens": first["cacheWriteInputTokens"]}], first
    second = _ask(mock, "And rule 4?")
    assert second["cacheReadInputTokens"] == first["cacheWriteInputTokens"], second
    assert second["cacheWriteInputTokens"] == 0, second
    assert second["totalTokens"] == second["inputTokens"] + second["outputTokens"] + second["cacheReadInputTokens"]
    entries = mock.requests(operation="Converse")
    assert [e["cache"]["points"][0]["outcome"] for e in entries] == ["write", "read"]
    assert entries[0]["cache"]["points"][0]["location"] == "system[1]"


def test_cached_prefix_expires_after_five_minutes(mock):
    written = _ask(mock, "q1")["cacheWriteInputTokens"]
    mock.admin("POST", "/_mock/clock", {"advance_ms": 300000})
    again = _ask(mock, "q2")
    assert again["cacheReadInputTokens"] == 0 and again["cacheWriteInputTokens"] == written, again
    assert [e["cache"]["points"][0]["outcome"] for e in mock.requests(operation="Converse")] == ["write", "write"]


def test_five_cache_points_are_a_validation_exception(mock):
    cp = {"cachePoint": {"type": "default"}}
    content = []
    for i in range(5):
        content += [{"text": f"part {i}"}, cp]
    try:
        client(mock).converse(modelId=SONNET, messages=[{"role": "user", "content": content}])
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ValidationException"
        message = err.response["Error"]["Message"]
        assert message.endswith("A maximum of 4 blocks with cache_control may be provided. Found 5."), message
    else:
        raise AssertionError("expected ValidationException")
    entry = mock.requests()[0]
    assert entry["error_message"] == message
    assert entry["cache_points"]["total"] == 5


def test_cache_below_minimum_reject_turns_a_short_prefix_into_a_400(mock):
    try:
        _ask(mock, "q", system_text="Be brief.")
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ValidationException"
        assert err.response["Error"]["Message"] == (
            "There is nothing available to cache. Please remove the invalid cache point and try again.")
    else:
        raise AssertionError("expected ValidationException")
    assert mock.requests()[0]["cache"]["points"][0]["reason"] == "below_minimum"
    assert _ask(mock, "q")["cacheWriteInputTokens"] > 1024


def test_cache_max_entries_bounds_the_store(mock):
    first = _ask(mock, "q")["cacheWriteInputTokens"]
    _ask(mock, "q", system_text="Another prompt. " + LONG_INSTRUCTIONS)
    assert mock.admin("GET", "/_mock/cache")["count"] == 1
    assert _ask(mock, "q")["cacheWriteInputTokens"] == first, "the first entry was evicted"
    assert [e["cache"]["points"][0]["outcome"] for e in mock.requests()] == ["write", "write", "write"]
