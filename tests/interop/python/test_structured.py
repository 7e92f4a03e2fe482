"""Structured output through boto3: the reply text is JSON that json.loads takes and that has
the schema's members (docs/operations.md, "Converse replies"); Bedrock's refusals arrive as
ValidationException (docs/validation.md, "Structured output")."""
import json

from botocore.exceptions import ClientError

from sdk import HAIKU, client

SONNET45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
PROMPT = [{"role": "user", "content": [{"text": "Extract the person: Ada, ada@example.com"}]}]
SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "email": {"type": "string", "format": "email"},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["admin", "user"]}, "minItems": 1},
        "address": {"$ref": "#/$defs/Address"},
    },
    "required": ["name", "email", "tags", "address"],
    "additionalProperties": False,
    "$defs": {"Address": {"type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
                          "required": ["zip"], "additionalProperties": False}},
}


def _output_config(schema):
    return {"textFormat": {"type": "json_schema",
                           "structure": {"jsonSchema": {"name": "person", "schema": json.dumps(schema)}}}}


def _knows_output_config(c):
    """botocore learned outputConfig in 1.42.42; an older one refuses the parameter itself."""
    return "outputConfig" in c.meta.service_model.operation_model("Converse").input_shape.members


def _check_person(value):
    assert set(value) == {"name", "email", "tags", "address"}, value
    assert len(value["name"]) >= 1 and "@" in value["email"], value
    assert value["tags"] and all(t in ("admin", "user") for t in value["tags"]), value
    assert len(value["address"]["zip"]) == 5 and value["address"]["zip"].isdigit(), value


def test_converse_output_config_reply_is_json(mock):
    c = client(mock)
    if not _knows_output_config(c):
        return
    resp = c.converse(modelId=SONNET45, messages=PROMPT, outputConfig=_output_config(SCHEMA))
    assert resp["stopReason"] == "end_turn"
    _check_person(json.loads(resp["output"]["message"]["content"][0]["text"]))


def test_converse_stream_deltas_join_to_the_json(mock):
    c = client(mock)
    if not _knows_output_config(c):
        return
    resp = c.converse_stream(modelId=SONNET45, messages=PROMPT, outputConfig=_output_config(SCHEMA))
    pieces, stop = [], None
    for event in resp["stream"]:
        if "contentBlockDelta" in event:
            pieces.append(event["contentBlockDelta"]["delta"]["text"])
        if "messageStop" in event:
            stop = event["messageStop"]["stopReason"]
    assert len(pieces) > 1 and stop == "end_turn", (pieces, stop)
    _check_person(json.loads("".join(pieces)))


def test_anthropic_output_config_format_as_the_ai_sdk_sends_it(mock):
    fields = {"output_config": {"format": {"type": "json_schema", "schema": SCHEMA}}}
    resp = client(mock).converse(modelId=SONNET45, messages=PROMPT, additionalModelRequestFields=fields)
    _check_person(json.loads(resp["output"]["message"]["content"][0]["text"]))


def test_refusals_are_validation_exceptions(mock):
    c = client(mock)
    if not _knows_output_config(c):
        return
    bounded = {"type": "object", "properties": {"score": {"type": "number", "minimum": 0, "maximum": 1}}}
    cases = [
        (HAIKU, SCHEMA, "The model returned the following errors: output_config.format: Extra inputs are not permitted"),
        (SONNET45, bounded, "The model returned the following errors: output_config.format.schema: "
                            "For 'number' type, properties maximum, minimum are not supported"),
    ]
    for model, schema, message in cases:
        try:
            c.converse(modelId=model, messages=PROMPT, outputConfig=_output_config(schema))
        except ClientError as err:
            assert err.response["Error"]["Code"] == "ValidationException"
            assert err.response["Error"]["Message"] == message, err.response["Error"]["Message"]
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        else:
            raise AssertionError(f"expected ValidationException for {model}")
