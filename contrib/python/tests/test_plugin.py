"""The pytest plugin with boto3: each helper seen from the SDK's side and from the journal's."""
import os

import pytest

from conftest import HAIKU, HELLO, LONG_INSTRUCTIONS, SONNET

boto3 = pytest.importorskip("boto3")
from botocore.exceptions import ClientError  # noqa: E402


def _error(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response


def test_the_environment_points_boto3_at_the_mock(bedrock_mock, brt):
    assert os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] == bedrock_mock.url
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    resp = brt().converse(modelId=HAIKU, messages=HELLO)
    assert resp["stopReason"] == "end_turn"
    [entry] = bedrock_mock.journal()
    assert (entry["operation"], entry["account"], entry["status"]) == ("Converse", "AKIDEXAMPLE", 200)
    assert bedrock_mock.health()["clock"] == "virtual"


def test_a_throttle_storm_shows_botocores_three_attempts(bedrock_mock, brt, no_backoff):
    storm = bedrock_mock.throttle(operation="Converse")
    client = brt(max_attempts=3)
    for _ in range(2):
        err = _error(lambda: client.converse(modelId=HAIKU, messages=HELLO))
        assert err["Error"]["Code"] == "ThrottlingException"
        assert err["ResponseMetadata"]["RetryAttempts"] == 2
    assert list(bedrock_mock.attempts_by_invocation().values()) == [3, 3]
    assert [e["attempt"] for e in bedrock_mock.journal()] == [1, 2, 3, 1, 2, 3]
    assert {e["status"] for e in bedrock_mock.journal()} == {429}
    assert bedrock_mock.rule(storm)["fired"] == 6


def test_two_throttles_then_the_third_attempt_succeeds(bedrock_mock, brt, no_backoff):
    bedrock_mock.throttle(times=2, model=HAIKU)
    resp = brt(max_attempts=3).converse(modelId=HAIKU, messages=HELLO)
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert [e["status"] for e in bedrock_mock.journal()] == [429, 429, 200]
    assert list(bedrock_mock.attempts_by_invocation(operation="Converse").values()) == [3]


def test_a_cache_write_then_a_read(bedrock_mock, brt):
    client = brt()

    def ask(question):
        system = [{"text": LONG_INSTRUCTIONS}, {"cachePoint": {"type": "default"}}]
        messages = [{"role": "user", "content": [{"text": question}]}]
        return client.converse(modelId=SONNET, system=system, messages=messages)["usage"]

    first, second = ask("What does rule 3 say?"), ask("And rule 4?")
    assert first["cacheWriteInputTokens"] > 0 and second["cacheReadInputTokens"] == first["cacheWriteInputTokens"]
    assert bedrock_mock.cache_outcomes() == [["write"], ["read"]]
    assert len(bedrock_mock.cache()) == 1
    bedrock_mock.advance_clock(5 * 60 * 1000)  # the 5-minute TTL passes on the virtual clock
    ask("And rule 5?")
    assert bedrock_mock.cache_outcomes()[-1] == ["write"]


def test_fail_sends_any_bedrock_error_with_its_message(bedrock_mock, brt):
    bedrock_mock.fail("ServiceUnavailableException", message="Try later.", times=1)
    err = _error(lambda: brt().converse(modelId=HAIKU, messages=HELLO))
    assert (err["Error"]["Code"], err["Error"]["Message"]) == ("ServiceUnavailableException", "Try later.")
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert brt().converse(modelId=HAIKU, messages=HELLO)["stopReason"] == "end_turn"  # times=1: spent
    assert [e["error_code"] for e in bedrock_mock.journal()] == ["ServiceUnavailableException", None]


def test_reply_scripts_a_tool_call_then_the_answer(bedrock_mock, brt):
    bedrock_mock.reply("It is 18 C in Paris.", match={"toolResult": "get_weather"})
    bedrock_mock.reply(tool_use={"name": "get_weather", "input": {"city": "Paris"}}, text="weather")
    tools = {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}]}
    client = brt()
    messages = [{"role": "user", "content": [{"text": "What is the weather in Paris?"}]}]
    first = client.converse(modelId=HAIKU, messages=messages, toolConfig=tools)
    assert first["stopReason"] == "tool_use"
    call = first["output"]["message"]["content"][-1]["toolUse"]
    assert (call["name"], call["input"]) == ("get_weather", {"city": "Paris"})
    result = {"toolResult": {"toolUseId": call["toolUseId"], "content": [{"text": "18 C"}]}}
    messages += [first["output"]["message"], {"role": "user", "content": [result]}]
    second = client.converse(modelId=HAIKU, messages=messages, toolConfig=tools)
    assert second["output"]["message"]["content"][0]["text"] == "It is 18 C in Paris."


def test_a_quota_throttles_until_the_virtual_minute_passes(bedrock_mock, brt):
    bedrock_mock.set_quota(HAIKU, tokens_per_minute=300)
    client = brt()
    client.converse(modelId=HAIKU, messages=HELLO, inferenceConfig={"maxTokens": 250})
    err = _error(lambda: client.converse(modelId=HAIKU, messages=HELLO, inferenceConfig={"maxTokens": 280}))
    assert err["Error"]["Message"] == "Too many tokens, please wait before trying again."
    bedrock_mock.advance_clock(60000)
    client.converse(modelId=HAIKU, messages=HELLO, inferenceConfig={"maxTokens": 280})
    assert [e["status"] for e in bedrock_mock.journal()] == [200, 429, 200]


def test_reset_forgets_rules_journal_and_cache(bedrock_mock, brt):
    bedrock_mock.add_rule({"id": "always", "error": "ValidationException"})
    _error(lambda: brt().converse(modelId=HAIKU, messages=HELLO))
    bedrock_mock.reset()
    assert bedrock_mock.rules() == [] and bedrock_mock.journal() == []
    assert brt().converse(modelId=HAIKU, messages=HELLO)["stopReason"] == "end_turn"


def test_journal_filters_and_bodies(bedrock_mock, brt):
    client = brt()
    for _ in range(3):
        client.converse(modelId=HAIKU, messages=HELLO)
    client.count_tokens(modelId=HAIKU, input={"converse": {"messages": HELLO}})
    assert len(bedrock_mock.journal(operation="Converse")) == 3
    assert [e["seq"] for e in bedrock_mock.journal(since=2)] == [3, 4]
    with_bodies = bedrock_mock.journal(bodies=True)  # bodies where the mock keeps them; same entries
    assert [e["seq"] for e in with_bodies] == [1, 2, 3, 4]
    if "request_body" in with_bodies[0]:
        assert "Hello from the plugin" in str(with_bodies[0]["request_body"])


def test_a_refused_admin_call_raises_with_the_mocks_message(bedrock_mock):
    from pytest_bedrock_mock import BedrockMockError

    with pytest.raises(BedrockMockError) as info:
        bedrock_mock.add_rule({"error": "ThrottlingException", "tymes": 2})
    assert info.value.status == 400 and "tymes" in str(info.value)
