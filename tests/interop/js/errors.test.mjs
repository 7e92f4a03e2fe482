// Every Bedrock error type, injected with a fault rule (POST /_mock/rules), parsed by the JS SDK
// with its code, message and status; the journal records the same error.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as brt from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, hello, rejection, HAIKU } from './sdk.mjs';

// Code and HTTP status: the service model's error shapes (service-2.json), then the AWS (Coral)
// framework errors every AWS JSON service can send (docs/errors.md).
const ERROR_TYPES = [
    ['ValidationException', 400], ['AccessDeniedException', 403], ['ResourceNotFoundException', 404],
    ['ModelTimeoutException', 408], ['ModelErrorException', 424], ['ModelStreamErrorException', 424],
    ['ThrottlingException', 429], ['ModelNotReadyException', 429], ['InternalServerException', 500],
    ['ServiceUnavailableException', 503], ['ServiceQuotaExceededException', 400], ['ConflictException', 400],
    ['SerializationException', 400], ['UnknownOperationException', 404], ['UnsupportedMediaTypeException', 415],
    ['RequestEntityTooLargeException', 413], ['MissingAuthenticationTokenException', 403],
    ['UnrecognizedClientException', 403], ['InvalidSignatureException', 403], ['ExpiredTokenException', 403],
    ['IncompleteSignatureException', 400],
];

test('every_error_type_is_parsed', async (t) => {
    const mock = await startMock(t);
    const c = client(t, mock);
    for (const [code, status] of ERROR_TYPES) {
        await mock.rule({ match: { operation: 'Converse' }, error: code, times: 1 });
        const err = await rejection(c.send(new brt.ConverseCommand({ modelId: HAIKU, messages: hello() })));
        assert.equal(err.name, code, `${code}: ${err}`);
        assert.equal(err.$metadata.httpStatusCode, status, code);
        assert.equal(err.$fault, status >= 500 ? 'server' : 'client', code);
        // Modelled errors become their own class; the others a BedrockRuntimeServiceException.
        assert.ok(err instanceof (brt[code] ?? brt.BedrockRuntimeServiceException), `${code} class`);
        assert.ok(err.message.length > 0, code);
        const entries = await mock.requests({ operation: 'Converse' });
        const last = entries[entries.length - 1];
        assert.equal(last.error_code, code);
        assert.equal(last.status, status, code);
        assert.ok(last.error_message && err.message.startsWith(last.error_message), code); // journal keeps 255 bytes
        assert.equal(last.request_id, err.$metadata.requestId, code);
    }
    // One call each, and the rules are spent: the next call succeeds.
    const resp = await c.send(new brt.ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.stopReason, 'end_turn');
    assert.equal((await mock.requests({ operation: 'Converse' })).length, ERROR_TYPES.length + 1);
});

test('error_rule_message_reaches_the_caller', async (t) => {
    const mock = await startMock(t);
    const message = 'Too many tokens, please wait before trying again.';
    await mock.rule({ match: { operation: 'Converse' }, error: 'ThrottlingException', message, times: 1 });
    const err = await rejection(client(t, mock).send(new brt.ConverseCommand({ modelId: HAIKU, messages: hello() })));
    assert.ok(err instanceof brt.ThrottlingException);
    assert.equal(err.message, message);
    const [entry] = await mock.requests();
    assert.equal(entry.error_message, message);
});

// A rule can end a ConverseStream with an exception event after k events: the stream opened
// with 200, so the SDK raises while iterating, and the journal shows a 200 with the rule's id.
test('in_stream_exception_from_a_rule', async (t) => {
    const mock = await startMock(t);
    await mock.rule({ id: 'mid-stream', match: { operation: 'ConverseStream' }, times: 1,
        stream: { exceptionAfterEvent: 3, exception: 'modelStreamErrorException', message: 'Scripted stream failure.' } });
    const c = client(t, mock);
    const resp = await c.send(new brt.ConverseStreamCommand({ modelId: HAIKU, messages: hello() }));
    const seen = [];
    const err = await rejection((async () => {
        for await (const ev of resp.stream) {
            seen.push(Object.keys(ev).find((k) => ev[k] !== undefined));
        }
    })());
    assert.ok(err instanceof brt.ModelStreamErrorException, `${err.name}: ${err.message}`);
    assert.equal(err.message, 'Scripted stream failure.');
    assert.equal(seen.length, 3, seen.join(','));
    assert.equal(seen[0], 'messageStart');
    const [entry] = await mock.requests({ operation: 'ConverseStream' });
    assert.equal(entry.status, 200);
    assert.equal(entry.rule, 'mid-stream');
    // times: 1 is spent: the next stream runs to its end.
    const again = await c.send(new brt.ConverseStreamCommand({ modelId: HAIKU, messages: hello() }));
    const kinds = [];
    for await (const ev of again.stream) {
        kinds.push(Object.keys(ev).find((k) => ev[k] !== undefined));
    }
    assert.equal(kinds.at(-1), 'metadata');
});
