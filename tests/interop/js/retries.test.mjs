// The JS SDK's retry modes (standard, adaptive; it has no legacy mode) against rules: the attempts
// it makes, counted in the journal by amz-sdk-invocation-id and amz-sdk-request. Also scripted
// replies and quota throttling. Twins of tests/interop/python/test_retries.py.
//
// Facts (field-notes.md §5, client-facts.md §3): the JS SDK treats every 429 as throttling and
// sends `amz-sdk-request: attempt=N; max=M` from the first attempt on; maxAttempts counts the
// first attempt. Its backoff is its own (a few hundred ms here), so max attempts stay at 3.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    ConverseCommand, ConverseStreamCommand, ThrottlingException, ValidationException,
} from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, hello, rejection, HAIKU } from './sdk.mjs';

const THROTTLE = { id: 'storm', match: { operation: 'Converse' }, error: 'ThrottlingException' };

// {invocation id: [attempt numbers]} of the Converse calls in the journal.
async function attemptsPerCall(mock) {
    const calls = {};
    for (const e of await mock.requests({ operation: 'Converse' })) {
        (calls[e.invocation_id] ??= []).push(e.attempt);
    }
    return calls;
}

async function exhaust(t, mode) {
    const mock = await startMock(t);
    await mock.rule(THROTTLE);
    const err = await rejection(client(t, mock, { retryMode: mode, maxAttempts: 3 })
        .send(new ConverseCommand({ modelId: HAIKU, messages: hello() })));
    assert.ok(err instanceof ThrottlingException, `${err.name}: ${err.message}`);
    assert.equal(err.message, 'Too many requests, please wait before trying again.');
    assert.equal(err.$metadata.httpStatusCode, 429);
    assert.equal(err.$metadata.attempts, 3);
    const calls = await attemptsPerCall(mock);
    const [[invocationId, attempts]] = Object.entries(calls);
    assert.equal(Object.keys(calls).length, 1);
    assert.deepEqual(attempts, [1, 2, 3]);
    const entries = await mock.requests({ invocation_id: invocationId });
    assert.deepEqual(entries.map((e) => e.rule), ['storm', 'storm', 'storm']);
    assert.deepEqual(entries.map((e) => e.sdk_request), ['attempt=1; max=3', 'attempt=2; max=3', 'attempt=3; max=3']);
    assert.equal((await mock.admin('GET', '/_mock/rules/storm')).fired, 3);
}

test('standard_mode_makes_three_attempts', (t) => exhaust(t, 'standard'));

// Adaptive adds a client-side rate limiter that the throttles switch on.
test('adaptive_mode_makes_three_attempts', (t) => exhaust(t, 'adaptive'));

test('two_throttles_then_the_third_attempt_succeeds', async (t) => {
    const mock = await startMock(t);
    await mock.rule({ ...THROTTLE, times: 2 });
    const resp = await client(t, mock, { retryMode: 'standard', maxAttempts: 3 })
        .send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.$metadata.attempts, 3);
    assert.ok(resp.$metadata.totalRetryDelay > 0);
    assert.equal(resp.stopReason, 'end_turn');
    assert.deepEqual(Object.values(await attemptsPerCall(mock)), [[1, 2, 3]]);
    assert.deepEqual((await mock.requests()).map((e) => e.status), [429, 429, 200]);
});

test('validation_errors_are_not_retried', async (t) => {
    const mock = await startMock(t);
    await mock.rule({ error: 'ValidationException', message: 'Scripted refusal.' });
    for (const mode of ['standard', 'adaptive']) {
        const err = await rejection(client(t, mock, { retryMode: mode, maxAttempts: 3 })
            .send(new ConverseCommand({ modelId: HAIKU, messages: hello() })));
        assert.ok(err instanceof ValidationException);
        assert.equal(err.message, 'Scripted refusal.');
        assert.equal(err.$metadata.attempts, 1);
    }
    assert.deepEqual(Object.values(await attemptsPerCall(mock)).map((a) => a.length), [1, 1]);
});

test('internal_server_error_is_retried', async (t) => {
    const mock = await startMock(t);
    await mock.rule({ match: { operation: 'Converse' }, error: 'InternalServerException', times: 1 });
    const resp = await client(t, mock, { retryMode: 'standard', maxAttempts: 3 })
        .send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.$metadata.attempts, 2);
    assert.deepEqual(Object.values(await attemptsPerCall(mock)), [[1, 2]]);
    assert.deepEqual((await mock.requests()).map((e) => e.error_code), ['InternalServerException', null]);
});

// ModelNotReadyException (429) is retried by both SDKs, for different reasons: the JS SDK treats
// every 429 as throttling; botocore retries it because the shape has the `retryable` trait.
test('model_not_ready_is_retried', async (t) => {
    const mock = await startMock(t);
    await mock.rule({ match: { operation: 'Converse' }, error: 'ModelNotReadyException', times: 1 });
    const resp = await client(t, mock, { retryMode: 'standard', maxAttempts: 3 })
        .send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.$metadata.attempts, 2);
    assert.deepEqual(Object.values(await attemptsPerCall(mock)), [[1, 2]]);
    assert.deepEqual((await mock.requests()).map((e) => e.error_code), ['ModelNotReadyException', null]);
});

test('scripted_tool_call_then_answer', async (t) => {
    const mock = await startMock(t);
    await mock.rule([
        { match: { toolResult: 'get_weather' }, reply: { text: 'It is 18C in Paris.' } },
        { match: { text: 'weather' }, reply: { toolUse: { name: 'get_weather', input: { city: 'Paris' } } } },
    ]);
    const toolConfig = { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }] };
    const c = client(t, mock);
    const messages = hello('What is the weather in Paris?');
    const first = await c.send(new ConverseCommand({ modelId: HAIKU, messages, toolConfig }));
    assert.equal(first.stopReason, 'tool_use');
    const { toolUse } = first.output.message.content[0];
    assert.equal(toolUse.name, 'get_weather');
    assert.deepEqual(toolUse.input, { city: 'Paris' });
    messages.push(first.output.message, { role: 'user', content: [
        { toolResult: { toolUseId: toolUse.toolUseId, content: [{ text: '18C' }] } }] });
    const second = await c.send(new ConverseCommand({ modelId: HAIKU, messages, toolConfig }));
    assert.equal(second.output.message.content[0].text, 'It is 18C in Paris.');
    const entries = await mock.requests();
    assert.equal(entries.length, 2);
    assert.ok(entries.every((e) => e.status === 200 && e.rule), 'both replies came from rules');
    assert.notEqual(entries[0].rule, entries[1].rule);
});

test('quota_throttles_with_the_tokens_message', async (t) => {
    // On Claude the greeting is 13 input tokens (7 of framing + 6, docs/tokens.md). The first call
    // reserves 13 + 250 tokens and settles at its real use (about 27), leaving about 273; the
    // second asks for 13 + 280 and is refused until the virtual minute passes.
    const mock = await startMock(t, ['--clock', 'virtual', '--quota', `tpm=300,model=${HAIKU}`]);
    const c = client(t, mock, { retryMode: 'standard', maxAttempts: 1 });
    const ask = (maxTokens) => c.send(new ConverseCommand({ modelId: HAIKU, messages: hello(), inferenceConfig: { maxTokens } }));
    await ask(250);
    const err = await rejection(ask(280));
    assert.ok(err instanceof ThrottlingException);
    assert.equal(err.message, 'Too many tokens, please wait before trying again.');
    await mock.admin('POST', '/_mock/clock', { advance_ms: 60000 });
    await ask(280);
    const entries = await mock.requests();
    assert.deepEqual(entries.map((e) => e.status), [200, 429, 200]);
    assert.equal(entries[1].error_message, 'Too many tokens, please wait before trying again.');
});

test('stream_fault_rule_raises_event_stream_error_without_retry', async (t) => {
    const mock = await startMock(t);
    await mock.rule({ match: { operation: 'ConverseStream' },
        stream: { exceptionAfterEvent: 2, exception: 'throttlingException' } });
    const resp = await client(t, mock, { retryMode: 'standard', maxAttempts: 3 })
        .send(new ConverseStreamCommand({ modelId: HAIKU, messages: hello() }));
    const seen = [];
    const err = await rejection((async () => {
        for await (const ev of resp.stream) {
            seen.push(Object.keys(ev).find((k) => ev[k] !== undefined));
        }
    })());
    assert.ok(err instanceof ThrottlingException, `${err.name}: ${err.message}`);
    assert.equal(err.message, 'Too many requests, please wait before trying again.');
    assert.equal(seen.length, 2, seen.join(','));
    assert.equal((await mock.requests({ operation: 'ConverseStream' })).length, 1, 'in-stream exceptions are never retried');
});

test('scripted_reply_reaches_converse_stream', async (t) => {
    const mock = await startMock(t);
    await mock.rule({ reply: { text: 'Streamed script.' } });
    const resp = await client(t, mock).send(new ConverseStreamCommand({ modelId: HAIKU, messages: hello() }));
    let text = '';
    for await (const ev of resp.stream) {
        text += ev.contentBlockDelta?.delta?.text ?? '';
    }
    assert.equal(text, 'Streamed script.');
    const [entry] = await mock.requests({ operation: 'ConverseStream' });
    assert.equal(entry.status, 200);
    assert.ok(entry.rule);
});
