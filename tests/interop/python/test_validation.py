"""Request validation seen through boto3: what botocore does not check client-side reaches
the mock, which answers with Bedrock's error type and words (docs/validation.md)."""
from botocore.exceptions import ClientError

from sdk import client

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def _error(call, mock=None):
    try:
        call()
    except ClientError as err:
        code, message = err.response["Error"]["Code"], err.response["Error"]["Message"]
        if mock is not None:
            # The journal recorded the same error; it keeps the first 255 bytes of a message (journal.h).
            entry = mock.requests(operation="Converse")[0]
            assert entry["error_code"] == code, entry
            assert entry["error_message"] and message.startswith(entry["error_message"]), entry
        return code, message, err.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("expected a ClientError")


def test_enum_and_range_violations_are_listed_together(mock):
    code, message, status = _error(lambda: client(mock).converse(
        modelId=HAIKU, messages=[{"role": "bot", "content": [{"text": "hi"}]}],
        inferenceConfig={"temperature": 99.0}), mock)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "2 validation errors detected: Value 'bot' at 'messages.1.member.role' failed to satisfy constraint: "
        "Member must satisfy enum value set: [user, assistant, system]; Value '99.0' at "
        "'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1")


def test_blank_text_block_is_refused_with_bedrocks_words(mock):
    code, message, _ = _error(lambda: client(mock).converse(
        modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "  "}]}]), mock)
    assert code == "ValidationException"
    assert message == ("The text field in the ContentBlock object at messages.0.content.0 is blank. "
                       "Add text to the text field, and try again.")


def test_valid_multi_turn_tool_request_is_accepted(mock):
    tools = {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}]}
    messages = [
        {"role": "user", "content": [{"text": "Weather?"}]},
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"c": 18}}]}}]},
    ]
    resp = client(mock).converse(modelId=HAIKU, messages=messages, toolConfig=tools)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    entry = mock.requests(operation="Converse")[0]
    assert entry["status"] == 200 and entry["request_id"] == resp["ResponseMetadata"]["RequestId"]
