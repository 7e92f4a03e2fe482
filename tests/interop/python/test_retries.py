"""boto3's retry modes against ThrottlingException rules: the attempts botocore promises.

Facts (../shared/spec/client-facts.md §3, field-notes.md §5): with total_max_attempts=3,
legacy, standard and adaptive mode all make 3 attempts against a 429 that carries
x-amzn-ErrorType ThrottlingException; a ValidationException (400) is never retried. The
attempts are counted in the journal by amz-sdk-invocation-id. Backoff between attempts is
botocore's own (at most 1 s + 2 s here), so these tests keep max attempts at 3.
"""
import collections

from botocore.exceptions import ClientError, EventStreamError

from sdk import client

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HELLO = [{"role": "user", "content": [{"text": "Hello from boto3"}]}]
THROTTLE = {"id": "storm", "match": {"operation": "Converse"}, "error": "ThrottlingException"}


def _attempts_per_call(mock):
    """{invocation_id: [attempt numbers]} of the Converse calls in the journal."""
    calls = collections.defaultdict(list)
    for e in mock.requests(operation="Converse"):
        calls[e["invocation_id"]].append(e["attempt"])
    return dict(calls)


def _exhaust(mock, mode):
    mock.admin("POST", "/_mock/rules", THROTTLE)
    try:
        client(mock, retry_mode=mode, max_attempts=3).converse(modelId=HAIKU, messages=HELLO)
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ThrottlingException"
        assert err.response["Error"]["Message"] == "Too many requests, please wait before trying again."
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert err.response["ResponseMetadata"]["RetryAttempts"] == 2
    else:
        raise AssertionError("expected ThrottlingException")
    calls = _attempts_per_call(mock)
    assert len(calls) == 1, calls
    (invocation_id, attempts), = calls.items()
    assert attempts == [1, 2, 3], attempts
    entries = mock.requests(invocation_id=invocation_id)
    assert [e["rule"] for e in entries] == ["storm"] * 3
    assert mock.admin("GET", "/_mock/rules/storm")["fired"] == 3


def test_legacy_mode_makes_three_attempts(mock):
    _exhaust(mock, "legacy")


def test_standard_mode_makes_three_attempts(mock):
    _exhaust(mock, "standard")


def test_adaptive_mode_makes_three_attempts(mock):
    _exhaust(mock, "adaptive")


def test_two_throttles_then_the_third_attempt_succeeds(mock):
    mock.admin("POST", "/_mock/rules", dict(THROTTLE, times=2))
    resp = client(mock, retry_mode="standard", max_attempts=3).converse(modelId=HAIKU, messages=HELLO)
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert resp["stopReason"] == "end_turn"
    assert list(_attempts_per_call(mock).values()) == [[1, 2, 3]]
    assert [e["status"] for e in mock.requests()] == [429, 429, 200]


def test_validation_errors_are_not_retried(mock):
    mock.admin("POST", "/_mock/rules", {"error": "ValidationException", "message": "Scripted refusal."})
    for mode in ("legacy", "standard", "adaptive"):
        try:
            client(mock, retry_mode=mode, max_attempts=3).converse(modelId=HAIKU, messages=HELLO)
        except ClientError as err:
            assert err.response["Error"]["Code"] == "ValidationException"
            assert err.response["Error"]["Message"] == "Scripted refusal."
        else:
            raise AssertionError("expected ValidationException")
    assert sorted(len(a) for a in _attempts_per_call(mock).values()) == [1, 1, 1]


def test_scripted_tool_call_then_answer(mock):
    mock.admin("POST", "/_mock/rules", [
        {"match": {"toolResult": "get_weather"}, "reply": {"text": "It is 18C in Paris."}},
        {"match": {"text": "weather"}, "reply": {"toolUse": {"name": "get_weather", "input": {"city": "Paris"}}}},
    ])
    tools = {"tools": [{"toolSpec": {"name": "get_weather",
                                     "inputSchema": {"json": {"type": "object"}}}}]}
    brt = client(mock)
    messages = [{"role": "user", "content": [{"text": "What is the weather in Paris?"}]}]
    first = brt.converse(modelId=HAIKU, messages=messages, toolConfig=tools)
    assert first["stopReason"] == "tool_use"
    tool_use = first["output"]["message"]["content"][0]["toolUse"]
    assert tool_use["name"] == "get_weather" and tool_use["input"] == {"city": "Paris"}
    messages += [first["output"]["message"],
                 {"role": "user", "content": [{"toolResult": {"toolUseId": tool_use["toolUseId"],
                                                              "content": [{"text": "18C"}]}}]}]
    second = brt.converse(modelId=HAIKU, messages=messages, toolConfig=tools)
    assert second["output"]["message"]["content"][0]["text"] == "It is 18C in Paris."
    entries = mock.requests()
    assert len(entries) == 2
    assert all(e["status"] == 200 and e.get("rule") for e in entries), "both replies came from rules"
    assert entries[0]["rule"] != entries[1]["rule"]


def test_stream_fault_rule_raises_event_stream_error_without_retry(mock):
    mock.admin("POST", "/_mock/rules", {"match": {"operation": "ConverseStream"},
                                        "stream": {"exceptionAfterEvent": 2, "exception": "throttlingException"}})
    brt = client(mock, retry_mode="standard", max_attempts=3)
    stream = iter(brt.converse_stream(modelId=HAIKU, messages=HELLO)["stream"])
    seen = [next(iter(next(stream))) for _ in range(2)]
    err = None
    try:
        next(stream)
    except EventStreamError as e:
        err = e.response["Error"]
    assert err == {"Code": "throttlingException",
                   "Message": "Too many requests, please wait before trying again."}, err
    assert len(seen) == 2, seen
    assert len(mock.requests(operation="ConverseStream")) == 1, "in-stream exceptions are never retried"


def test_scripted_reply_reaches_converse_stream(mock):
    mock.admin("POST", "/_mock/rules", {"reply": {"text": "Streamed script."}})
    resp = client(mock).converse_stream(modelId=HAIKU, messages=HELLO)
    deltas = [e["contentBlockDelta"]["delta"] for e in resp["stream"] if "contentBlockDelta" in e]
    text = "".join(d.get("text", "") for d in deltas)
    assert text == "Streamed script.", text
    entry = mock.requests(operation="ConverseStream")[0]
    assert entry["status"] == 200 and entry.get("rule"), entry


MOCK_ARGS = {
    "test_quota_throttles_with_the_tokens_message": ["--clock", "virtual", "--quota", f"tpm=300,model={HAIKU}"],
}


def test_quota_throttles_with_the_tokens_message(mock):
    """On Claude "Hello from boto3" is 12 input tokens (7 of framing + 5, docs/tokens.md). The first
    call reserves 12 + 250 tokens and settles at its real use (about 25), leaving about 275; the
    second asks for 12 + 280 and is refused until the virtual minute passes."""
    brt = client(mock, retry_mode="standard", max_attempts=1)
    brt.converse(modelId=HAIKU, messages=HELLO, inferenceConfig={"maxTokens": 250})
    try:
        brt.converse(modelId=HAIKU, messages=HELLO, inferenceConfig={"maxTokens": 280})
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ThrottlingException"
        assert err.response["Error"]["Message"] == "Too many tokens, please wait before trying again."
    else:
        raise AssertionError("expected ThrottlingException")
    mock.admin("POST", "/_mock/clock", {"advance_ms": 60000})
    brt.converse(modelId=HAIKU, messages=HELLO, inferenceConfig={"maxTokens": 280})
    entries = mock.requests()
    assert [e["status"] for e in entries] == [200, 429, 200]
    assert entries[1]["error_message"] == "Too many tokens, please wait before trying again."


def test_internal_server_error_is_retried(mock):
    mock.admin("POST", "/_mock/rules", {"match": {"operation": "Converse"}, "error": "InternalServerException",
                                        "times": 1})
    resp = client(mock, retry_mode="standard", max_attempts=3).converse(modelId=HAIKU, messages=HELLO)
    assert resp["ResponseMetadata"]["RetryAttempts"] == 1
    assert list(_attempts_per_call(mock).values()) == [[1, 2]]
    assert [e["error_code"] for e in mock.requests()] == ["InternalServerException", None]


def test_model_not_ready_is_retried(mock):
    """ModelNotReadyException (429) is retried: botocore because the shape has the `retryable`
    trait; the JS SDK because it treats every 429 as throttling."""
    mock.admin("POST", "/_mock/rules", {"match": {"operation": "Converse"}, "error": "ModelNotReadyException",
                                        "times": 1})
    resp = client(mock, retry_mode="standard", max_attempts=3).converse(modelId=HAIKU, messages=HELLO)
    assert resp["ResponseMetadata"]["RetryAttempts"] == 1
    assert list(_attempts_per_call(mock).values()) == [[1, 2]]
    assert [e["error_code"] for e in mock.requests()] == ["ModelNotReadyException", None]
