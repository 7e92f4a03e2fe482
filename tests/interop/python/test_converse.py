"""Foundation: boto3's converse against the mock."""
from botocore.exceptions import ClientError

from sdk import SONNET4, THINKING, WEATHER_TOOLS, client, hello

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HELLO = [{"role": "user", "content": [{"text": "Hello from boto3"}]}]


def test_converse_returns_a_parsed_reply(mock):
    resp = client(mock).converse(modelId=HAIKU, messages=HELLO)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    text = resp["output"]["message"]["content"][0]["text"]
    assert "Hello from boto3" in text, text
    assert resp["stopReason"] == "end_turn"
    usage = resp["usage"]
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    entries = mock.requests(operation="Converse")
    assert len(entries) == 1
    assert entries[0]["account"] == "AKIDINTEROP"
    assert entries[0]["attempt"] == 1


def test_bad_model_id_raises_validation_exception(mock):
    try:
        client(mock).converse(modelId="anthropic.no-such-model-v1:0", messages=HELLO)
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ValidationException"
        assert err.response["Error"]["Message"] == "The provided model identifier is invalid."
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    else:
        raise AssertionError("expected ValidationException")


def test_inference_profile_arn_reaches_the_model(mock):
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0"
    resp = client(mock).converse(modelId=arn, messages=HELLO)
    assert resp["stopReason"] == "end_turn"
    assert mock.requests()[0]["model_id"] == arn


def test_on_demand_base_id_raises_validation_exception(mock):
    model = "anthropic.claude-sonnet-4-20250514-v1:0"
    try:
        client(mock).converse(modelId=model, messages=HELLO)
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ValidationException"
        assert err.response["Error"]["Message"] == (
            f"Invocation of model ID {model} with on-demand throughput isn\u2019t supported. "
            "Retry your request with the ID or ARN of an inference profile that contains this model.")
    else:
        raise AssertionError("expected ValidationException")
    assert mock.requests(model=model)[0]["error_code"] == "ValidationException"


def test_converse_tool_use(mock):
    resp = client(mock).converse(modelId=HAIKU, messages=hello("What is the weather in Paris?"),
                                 toolConfig=WEATHER_TOOLS)
    assert resp["stopReason"] == "tool_use"
    use = next(b["toolUse"] for b in resp["output"]["message"]["content"] if "toolUse" in b)
    assert use["name"] == "get_weather"
    assert use["toolUseId"].startswith("tooluse_")
    assert isinstance(use["input"]["city"], str)
    assert mock.requests(operation="Converse")[0]["status"] == 200


def test_converse_reasoning(mock):
    resp = client(mock).converse(modelId=SONNET4, messages=hello(), additionalModelRequestFields=THINKING)
    reasoning, text = resp["output"]["message"]["content"]
    assert isinstance(reasoning["reasoningContent"]["reasoningText"]["text"], str)
    assert reasoning["reasoningContent"]["reasoningText"]["signature"]
    assert "Hello from boto3" in text["text"]
    assert mock.requests(model=SONNET4)[0]["operation"] == "Converse"
