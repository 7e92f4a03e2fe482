"""boto3's invoke_model with the native bodies of the families beyond Anthropic, Nova, Llama
and Titan Text (docs/operations.md): each answer parses as the family's documented shape."""
import json
import math

from botocore.exceptions import ClientError

from sdk import client


def invoke(mock, model, body):
    resp = client(mock).invoke_model(modelId=model, body=json.dumps(body))
    headers = resp["ResponseMetadata"]["HTTPHeaders"]
    return json.loads(resp["body"].read()), headers


def test_cohere_command_text(mock):
    out, headers = invoke(mock, "cohere.command-text-v14", {"prompt": "Hello Cohere", "max_tokens": 100})
    assert "Hello Cohere" in out["generations"][0]["text"]
    assert out["generations"][0]["finish_reason"] == "COMPLETE"
    assert int(headers["x-amzn-bedrock-input-token-count"]) > 0
    assert int(headers["x-amzn-bedrock-output-token-count"]) > 0


def test_mistral_text_completion_and_its_refusal(mock):
    out, _ = invoke(mock, "mistral.mistral-7b-instruct-v0:2", {"prompt": "<s>[INST] Hello Mistral [/INST]"})
    assert "Hello Mistral" in out["outputs"][0]["text"]
    assert out["outputs"][0]["stop_reason"] == "stop"
    try:
        invoke(mock, "mistral.mistral-7b-instruct-v0:2", {"inputText": "wrong family"})
        raise AssertionError("a Titan body to Mistral was accepted")
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ValidationException"
        assert err.response["Error"]["Message"].startswith(
            "Malformed input request: #: required key [prompt] not found#: extraneous key [inputText]")


def test_gpt_oss_chat_completions(mock):
    out, headers = invoke(mock, "openai.gpt-oss-120b-1:0",
                          {"messages": [{"role": "user", "content": "Hello gpt-oss"}], "max_completion_tokens": 200})
    assert out["object"] == "chat.completion"
    assert "Hello gpt-oss" in out["choices"][0]["message"]["content"]
    assert out["usage"]["prompt_tokens"] == int(headers["x-amzn-bedrock-input-token-count"])


def test_titan_and_cohere_embeddings(mock):
    out, _ = invoke(mock, "amazon.titan-embed-text-v2:0", {"inputText": "Hello", "dimensions": 512})
    assert len(out["embedding"]) == 512
    assert abs(math.sqrt(sum(x * x for x in out["embedding"])) - 1.0) < 1e-3
    again, _ = invoke(mock, "amazon.titan-embed-text-v2:0", {"inputText": "Hello", "dimensions": 512})
    assert again["embedding"] == out["embedding"]
    out, _ = invoke(mock, "cohere.embed-english-v3", {"texts": ["a", "b", "c"], "input_type": "search_document"})
    assert [len(v) for v in out["embeddings"]] == [1024, 1024, 1024]
    assert out["response_type"] == "embeddings_floats"


def test_native_streams_join_to_the_whole_answer(mock):
    bedrock = client(mock)
    cases = [
        ("cohere.command-r-v1:0", {"message": "Hello stream"}, lambda c: c.get("text", "")),
        ("mistral.mistral-large-2407-v1:0", {"messages": [{"role": "user", "content": "Hello stream"}]},
         lambda c: c["choices"][0]["message"]["content"]),
        ("openai.gpt-oss-120b-1:0", {"messages": [{"role": "user", "content": "Hello stream"}]},
         lambda c: c["choices"][0]["delta"]["content"]),
    ]
    for model, body, piece in cases:
        resp = bedrock.invoke_model_with_response_stream(modelId=model, body=json.dumps(body))
        chunks = [json.loads(e["chunk"]["bytes"]) for e in resp["body"]]
        text = "".join(piece(c) for c in chunks[:-1])
        assert "Hello stream" in text, (model, text)
        assert chunks[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] > 0, model


def test_open_weight_chat_families_streamed_and_not(mock):
    bedrock = client(mock)
    for model, content in [("qwen.qwen3-32b-v1:0", "Hello Qwen"), ("moonshot.kimi-k2-thinking", "Hello Kimi"),
                           ("us.writer.palmyra-x5-v1:0", {"text": "Hello Palmyra"})]:
        said = content if isinstance(content, str) else content["text"]
        body = {"messages": [{"role": "user", "content": content}], "max_tokens": 300}
        out, headers = invoke(mock, model, body)
        assert said in out["choices"][0]["message"]["content"], model
        assert out["choices"][0]["finish_reason"] == "stop", model
        assert out["usage"]["completion_tokens"] == int(headers["x-amzn-bedrock-output-token-count"]), model
        resp = bedrock.invoke_model_with_response_stream(modelId=model, body=json.dumps(body))
        chunks = [json.loads(e["chunk"]["bytes"]) for e in resp["body"]]
        text = "".join(c["choices"][0]["delta"]["content"] or "" for c in chunks[:-1])
        assert text == out["choices"][0]["message"]["content"], model
    try:
        invoke(mock, "us.writer.palmyra-x4-v1:0", {"messages": [], "top_k": 5})
        raise AssertionError("an extraneous key to Palmyra was accepted")
    except ClientError as err:
        assert err.response["Error"]["Message"] == (
            "Malformed input request: #: extraneous key [top_k] is not permitted, please reformat your input and try again.")


def test_claude_thinking_rules_on_invoke_model(mock):
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 4000,
            "thinking": {"type": "enabled", "budget_tokens": 500},
            "messages": [{"role": "user", "content": "Hi"}]}
    model = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
    try:
        invoke(mock, model, body)
        raise AssertionError("budget_tokens 500 was accepted")
    except ClientError as err:
        assert err.response["Error"]["Code"] == "ValidationException"
        assert err.response["Error"]["Message"] == ("The model returned the following errors: "
                                                    "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
    body["thinking"]["budget_tokens"] = 1024
    out, _ = invoke(mock, model, body)
    assert out["type"] == "message"
