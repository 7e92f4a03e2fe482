"""boto3 reads the mock's event streams to the end: ConverseStream and InvokeModelWithResponseStream.

botocore decodes the binary frames itself (both CRCs checked), so these tests pass only when
the framing is byte-exact.
"""
import json

from botocore.exceptions import EventStreamError

from sdk import SONNET4, THINKING, client, hello

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HELLO = [{"role": "user", "content": [{"text": "Hello from a boto3 stream"}]}]
TOOLS = {
    "tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {
        "type": "object", "properties": {"city": {"type": "string", "minLength": 20}}, "required": ["city"]}}}}],
    "toolChoice": {"any": {}},
}
ANTHROPIC_BODY = json.dumps({
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 200,
    "messages": [{"role": "user", "content": "Hello from invoke_model_with_response_stream"}],
})

MOCK_ARGS = {
    "test_converse_stream_exception_raises_event_stream_error": ["--stream-exception", "throttlingException@2"],
    "test_invoke_stream_exception_raises_event_stream_error": ["--stream-exception", "modelStreamErrorException@1"],
}


def test_converse_stream_text_matches_converse(mock):
    bedrock = client(mock)
    whole = bedrock.converse(modelId=HAIKU, messages=HELLO)
    resp = bedrock.converse_stream(modelId=HAIKU, messages=HELLO)
    assert resp["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/vnd.amazon.eventstream"
    kinds, text, stop, usage = [], "", None, None
    for event in resp["stream"]:
        kind = next(iter(event))
        kinds.append(kind)
        if kind == "contentBlockDelta":
            text += event[kind]["delta"]["text"]
        elif kind == "messageStop":
            stop = event[kind]["stopReason"]
        elif kind == "metadata":
            usage = event[kind]["usage"]
    assert kinds[0] == "messageStart" and kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"], kinds
    assert text == whole["output"]["message"]["content"][0]["text"]
    assert stop == whole["stopReason"] == "end_turn"
    assert usage == whole["usage"]
    assert mock.requests(operation="ConverseStream")[0]["status"] == 200


def test_converse_stream_tool_use(mock):
    resp = client(mock).converse_stream(modelId=HAIKU, messages=HELLO, toolConfig=TOOLS)
    start, partial, stop = None, "", None
    for event in resp["stream"]:
        if "contentBlockStart" in event:
            start = event["contentBlockStart"]["start"]["toolUse"]
        elif "contentBlockDelta" in event:
            partial += event["contentBlockDelta"]["delta"]["toolUse"]["input"]
        elif "messageStop" in event:
            stop = event["messageStop"]["stopReason"]
    assert start["name"] == "get_weather" and start["toolUseId"].startswith("tooluse_")
    assert len(json.loads(partial)["city"]) == 20
    assert stop == "tool_use"
    entry = mock.requests(operation="ConverseStream")[0]
    assert entry["status"] == 200
    assert entry["request_id"] == resp["ResponseMetadata"]["RequestId"]


def test_converse_stream_reasoning(mock):
    resp = client(mock).converse_stream(modelId=SONNET4, messages=hello(), additionalModelRequestFields=THINKING)
    reasoning, signature, text, kinds = "", "", "", []
    for event in resp["stream"]:
        kind = next(iter(event))
        kinds.append(kind)
        if kind == "contentBlockDelta":
            delta = event[kind]["delta"]
            reasoning += delta.get("reasoningContent", {}).get("text", "")
            signature += delta.get("reasoningContent", {}).get("signature", "")
            text += delta.get("text", "")
    assert kinds[0] == "messageStart" and kinds[-2:] == ["messageStop", "metadata"], kinds
    assert reasoning and signature
    assert "Hello from boto3" in text
    assert mock.requests(model=SONNET4)[0]["operation"] == "ConverseStream"


def test_converse_stream_exception_raises_event_stream_error(mock):
    resp = client(mock).converse_stream(modelId=HAIKU, messages=HELLO)
    seen = []
    try:
        for event in resp["stream"]:
            seen.append(next(iter(event)))
    except EventStreamError as err:
        assert err.response["Error"]["Code"] == "throttlingException", err.response
        assert err.response["Error"]["Message"] == "Too many requests, please wait before trying again."
    else:
        raise AssertionError("expected EventStreamError, got " + repr(seen))
    assert seen == ["messageStart", "contentBlockDelta"], seen
    # The stream opened with 200: the journal has no HTTP error for an in-stream exception.
    entry = mock.requests(operation="ConverseStream")[0]
    assert entry["status"] == 200 and entry["error_code"] is None, entry


def test_invoke_model_with_response_stream_reads_chunks(mock):
    bedrock = client(mock)
    resp = bedrock.invoke_model_with_response_stream(modelId=HAIKU, body=ANTHROPIC_BODY)
    chunks = [json.loads(event["chunk"]["bytes"]) for event in resp["body"]]
    types = [c["type"] for c in chunks]
    assert types[0] == "message_start" and types[-1] == "message_stop", types
    text = "".join(c["delta"]["text"] for c in chunks if c["type"] == "content_block_delta")
    assert "Hello from invoke_model_with_response_stream" in text
    metrics = chunks[-1]["amazon-bedrock-invocationMetrics"]
    whole = bedrock.invoke_model(modelId=HAIKU, body=ANTHROPIC_BODY)
    headers = whole["ResponseMetadata"]["HTTPHeaders"]
    assert int(headers["x-amzn-bedrock-input-token-count"]) == metrics["inputTokenCount"]
    assert int(headers["x-amzn-bedrock-output-token-count"]) == metrics["outputTokenCount"]
    assert json.loads(whole["body"].read())["content"][0]["text"] == text
    assert [e["operation"] for e in mock.requests()] == ["InvokeModelWithResponseStream", "InvokeModel"]
    assert mock.requests(operation="InvokeModel")[0]["request_id"] == whole["ResponseMetadata"]["RequestId"]


def test_invoke_stream_exception_raises_event_stream_error(mock):
    resp = client(mock).invoke_model_with_response_stream(modelId=HAIKU, body=ANTHROPIC_BODY)
    try:
        for _ in resp["body"]:
            pass
    except EventStreamError as err:
        assert err.response["Error"]["Code"] == "modelStreamErrorException", err.response
    else:
        raise AssertionError("expected EventStreamError")
    entry = mock.requests(operation="InvokeModelWithResponseStream")[0]
    assert entry["status"] == 200 and entry["error_code"] is None, entry


def test_count_tokens_matches_converse_input(mock):
    bedrock = client(mock)
    whole = bedrock.converse(modelId=HAIKU, messages=HELLO)
    counted = bedrock.count_tokens(modelId=HAIKU, input={"converse": {"messages": HELLO}})
    assert counted["inputTokens"] == whole["usage"]["inputTokens"]
    entry = mock.requests(operation="CountTokens")[0]
    assert entry["status"] == 200 and entry["model_id"] == HAIKU
    assert entry["request_id"] == counted["ResponseMetadata"]["RequestId"]
