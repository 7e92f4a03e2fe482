"""Every Bedrock error type, injected with a fault rule (POST /_mock/rules), parsed by boto3 with
its code, message and status; the journal records the same error."""
from botocore.exceptions import ClientError, EventStreamError

from sdk import HAIKU, client, hello

# Code and HTTP status: the service model's error shapes (service-2.json), then the AWS (Coral)
# framework errors every AWS JSON service can send (docs/errors.md). Same list as errors.test.mjs.
ERROR_TYPES = [
    ("ValidationException", 400), ("AccessDeniedException", 403), ("ResourceNotFoundException", 404),
    ("ModelTimeoutException", 408), ("ModelErrorException", 424), ("ModelStreamErrorException", 424),
    ("ThrottlingException", 429), ("ModelNotReadyException", 429), ("InternalServerException", 500),
    ("ServiceUnavailableException", 503), ("ServiceQuotaExceededException", 400), ("ConflictException", 400),
    ("SerializationException", 400), ("UnknownOperationException", 404), ("UnsupportedMediaTypeException", 415),
    ("RequestEntityTooLargeException", 413), ("MissingAuthenticationTokenException", 403),
    ("UnrecognizedClientException", 403), ("InvalidSignatureException", 403), ("ExpiredTokenException", 403),
    ("IncompleteSignatureException", 400),
]


def converse_error(c):
    try:
        c.converse(modelId=HAIKU, messages=hello())
    except ClientError as err:
        return err
    raise AssertionError("expected the call to fail, and it succeeded")


def test_every_error_type_is_parsed(mock):
    c = client(mock)
    for code, status in ERROR_TYPES:
        mock.admin("POST", "/_mock/rules", {"match": {"operation": "Converse"}, "error": code, "times": 1})
        err = converse_error(c)
        assert err.response["Error"]["Code"] == code, (code, err.response["Error"])
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status, code
        # Modelled errors become their own class on client.exceptions; the others a plain ClientError.
        modelled = getattr(c.exceptions, code, None)
        assert modelled is None or isinstance(err, modelled), code
        message = err.response["Error"]["Message"]
        assert message, code
        last = mock.requests(operation="Converse")[-1]
        assert last["error_code"] == code, code
        assert last["status"] == status, code
        assert last["error_message"] and message.startswith(last["error_message"]), code  # journal keeps 255 bytes
        assert last["request_id"] == err.response["ResponseMetadata"]["RequestId"], code
    # One call each, and the rules are spent: the next call succeeds.
    assert c.converse(modelId=HAIKU, messages=hello())["stopReason"] == "end_turn"
    assert len(mock.requests(operation="Converse")) == len(ERROR_TYPES) + 1


def test_error_rule_message_reaches_the_caller(mock):
    message = "Too many tokens, please wait before trying again."
    mock.admin("POST", "/_mock/rules",
               {"match": {"operation": "Converse"}, "error": "ThrottlingException", "message": message, "times": 1})
    c = client(mock)
    err = converse_error(c)
    assert isinstance(err, c.exceptions.ThrottlingException)
    assert err.response["Error"]["Message"] == message
    assert mock.requests()[0]["error_message"] == message


def test_in_stream_exception_from_a_rule(mock):
    """A rule can end a ConverseStream with an exception event after k events: the stream opened
    with 200, so botocore raises EventStreamError while iterating, and the journal shows a 200
    with the rule's id."""
    mock.admin("POST", "/_mock/rules", {
        "id": "mid-stream", "match": {"operation": "ConverseStream"}, "times": 1,
        "stream": {"exceptionAfterEvent": 3, "exception": "modelStreamErrorException",
                   "message": "Scripted stream failure."}})
    c = client(mock)
    resp = c.converse_stream(modelId=HAIKU, messages=hello())
    seen = []
    try:
        for event in resp["stream"]:
            seen.append(next(iter(event)))
    except EventStreamError as err:
        assert err.response["Error"]["Code"] == "modelStreamErrorException", err.response
        assert err.response["Error"]["Message"] == "Scripted stream failure."
    else:
        raise AssertionError("expected EventStreamError, got " + repr(seen))
    assert len(seen) == 3 and seen[0] == "messageStart", seen
    entry = mock.requests(operation="ConverseStream")[0]
    assert entry["status"] == 200 and entry["rule"] == "mid-stream", entry
    # times: 1 is spent: the next stream runs to its end.
    kinds = [next(iter(e)) for e in c.converse_stream(modelId=HAIKU, messages=hello())["stream"]]
    assert kinds[-1] == "metadata", kinds
