// The JS SDK reads the mock's event streams to the end (it decodes the frames and checks both
// CRCs itself): ConverseStream, InvokeModelWithResponseStream, and CountTokens.
// Twins of tests/interop/python/test_streaming.py.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    ConverseCommand,
    ConverseStreamCommand,
    CountTokensCommand,
    InvokeModelCommand,
    InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, hello, rejection, HAIKU, SONNET4, THINKING } from './sdk.mjs';

const TOOLS = {
    tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: {
        type: 'object', properties: { city: { type: 'string', minLength: 20 } }, required: ['city'] } } } }],
    toolChoice: { any: {} },
};
const ANTHROPIC_BODY = JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 200,
    messages: [{ role: 'user', content: 'Hello from invoke_model_with_response_stream' }],
});

async function collect(iterable) {
    const out = [];
    for await (const event of iterable) {
        out.push(event);
    }
    return out;
}

test('converse_stream_text_matches_converse', async (t) => {
    const mock = await startMock(t);
    const c = client(t, mock);
    const whole = await c.send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    const resp = await c.send(new ConverseStreamCommand({ modelId: HAIKU, messages: hello() }));
    const events = await collect(resp.stream);
    const kinds = events.map((e) => Object.keys(e).find((k) => e[k] !== undefined));
    assert.equal(kinds[0], 'messageStart');
    assert.deepEqual(kinds.slice(-3), ['contentBlockStop', 'messageStop', 'metadata']);
    const text = events.filter((e) => e.contentBlockDelta).map((e) => e.contentBlockDelta.delta.text).join('');
    assert.equal(text, whole.output.message.content[0].text);
    assert.equal(events.at(-2).messageStop.stopReason, 'end_turn');
    assert.deepEqual(events.at(-1).metadata.usage, whole.usage);
    assert.equal((await mock.requests({ operation: 'ConverseStream' }))[0].status, 200);
});

test('converse_stream_tool_use', async (t) => {
    const mock = await startMock(t);
    const resp = await client(t, mock).send(new ConverseStreamCommand({ modelId: HAIKU, messages: hello(), toolConfig: TOOLS }));
    const events = await collect(resp.stream);
    const start = events.find((e) => e.contentBlockStart).contentBlockStart.start.toolUse;
    assert.equal(start.name, 'get_weather');
    assert.match(start.toolUseId, /^tooluse_/);
    const input = events.filter((e) => e.contentBlockDelta).map((e) => e.contentBlockDelta.delta.toolUse.input).join('');
    assert.equal(JSON.parse(input).city.length, 20);
    assert.equal(events.find((e) => e.messageStop).messageStop.stopReason, 'tool_use');
    const [entry] = await mock.requests({ operation: 'ConverseStream' });
    assert.equal(entry.status, 200);
    assert.equal(entry.request_id, resp.$metadata.requestId);
});

test('converse_stream_reasoning', async (t) => {
    const mock = await startMock(t);
    const resp = await client(t, mock).send(new ConverseStreamCommand({
        modelId: SONNET4, messages: hello(), additionalModelRequestFields: THINKING }));
    const events = await collect(resp.stream);
    const kinds = events.map((e) => Object.keys(e).find((k) => e[k] !== undefined));
    assert.equal(kinds[0], 'messageStart');
    assert.deepEqual(kinds.slice(-2), ['messageStop', 'metadata']);
    const deltas = events.filter((e) => e.contentBlockDelta).map((e) => e.contentBlockDelta.delta);
    const reasoning = deltas.map((d) => d.reasoningContent?.text ?? '').join('');
    const signature = deltas.map((d) => d.reasoningContent?.signature ?? '').join('');
    assert.ok(reasoning.length > 0 && signature.length > 0);
    assert.match(deltas.map((d) => d.text ?? '').join(''), /Hello from the JS SDK/);
    assert.equal((await mock.requests({ model: SONNET4 }))[0].operation, 'ConverseStream');
});

test('converse_stream_exception_raises_event_stream_error', async (t) => {
    const mock = await startMock(t, ['--stream-exception', 'throttlingException@2']);
    const resp = await client(t, mock).send(new ConverseStreamCommand({ modelId: HAIKU, messages: hello() }));
    const seen = [];
    const err = await rejection((async () => {
        for await (const event of resp.stream) {
            seen.push(Object.keys(event).find((k) => event[k] !== undefined));
        }
    })());
    assert.equal(err.name, 'ThrottlingException');
    assert.equal(err.message, 'Too many requests, please wait before trying again.');
    assert.deepEqual(seen, ['messageStart', 'contentBlockDelta']);
    // The stream opened with 200: the journal has no HTTP error for an in-stream exception.
    const [entry] = await mock.requests({ operation: 'ConverseStream' });
    assert.equal(entry.status, 200);
    assert.equal(entry.error_code, null);
});

test('invoke_model_with_response_stream_reads_chunks', async (t) => {
    const mock = await startMock(t);
    const c = client(t, mock);
    const resp = await c.send(new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: ANTHROPIC_BODY }));
    const chunks = (await collect(resp.body)).map((e) => JSON.parse(Buffer.from(e.chunk.bytes).toString('utf8')));
    assert.equal(chunks[0].type, 'message_start');
    assert.equal(chunks.at(-1).type, 'message_stop');
    const text = chunks.filter((x) => x.type === 'content_block_delta').map((x) => x.delta.text).join('');
    assert.match(text, /Hello from invoke_model_with_response_stream/);
    const metrics = chunks.at(-1)['amazon-bedrock-invocationMetrics'];
    const whole = await c.send(new InvokeModelCommand({ modelId: HAIKU, body: ANTHROPIC_BODY }));
    const body = JSON.parse(Buffer.from(whole.body).toString('utf8'));
    assert.equal(body.content[0].text, text);
    assert.equal(body.usage.input_tokens, metrics.inputTokenCount);
    assert.equal(body.usage.output_tokens, metrics.outputTokenCount);
    assert.deepEqual((await mock.requests()).map((e) => e.operation), ['InvokeModelWithResponseStream', 'InvokeModel']);
    assert.equal((await mock.requests({ operation: 'InvokeModel' }))[0].request_id, whole.$metadata.requestId);
});

test('invoke_stream_exception_raises_event_stream_error', async (t) => {
    const mock = await startMock(t, ['--stream-exception', 'modelStreamErrorException@1']);
    const resp = await client(t, mock).send(new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: ANTHROPIC_BODY }));
    const err = await rejection(collect(resp.body));
    assert.equal(err.name, 'ModelStreamErrorException');
    const [entry] = await mock.requests({ operation: 'InvokeModelWithResponseStream' });
    assert.equal(entry.status, 200);
    assert.equal(entry.error_code, null);
});

test('count_tokens_matches_converse_input', async (t) => {
    const mock = await startMock(t);
    const c = client(t, mock);
    const whole = await c.send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    const counted = await c.send(new CountTokensCommand({ modelId: HAIKU, input: { converse: { messages: hello() } } }));
    assert.equal(counted.inputTokens, whole.usage.inputTokens);
    const [entry] = await mock.requests({ operation: 'CountTokens' });
    assert.equal(entry.status, 200);
    assert.equal(entry.model_id, HAIKU);
    assert.equal(entry.request_id, counted.$metadata.requestId);
});
