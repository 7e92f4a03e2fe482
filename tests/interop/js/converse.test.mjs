// Converse through the JS SDK: the parsed reply, model-id handling, and the journal entry of each call.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, hello, rejection, HAIKU, SONNET4, THINKING, WEATHER_TOOLS } from './sdk.mjs';

test('converse_returns_a_parsed_reply', async (t) => {
    const mock = await startMock(t);
    const resp = await client(t, mock).send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.$metadata.httpStatusCode, 200);
    assert.match(resp.output.message.content[0].text, /Hello from the JS SDK/);
    assert.equal(resp.stopReason, 'end_turn');
    assert.equal(resp.usage.totalTokens, resp.usage.inputTokens + resp.usage.outputTokens);
    assert.equal(typeof resp.metrics.latencyMs, 'number');
    const entries = await mock.requests({ operation: 'Converse' });
    assert.equal(entries.length, 1);
    assert.equal(entries[0].account, 'AKIDINTEROP');
    assert.equal(entries[0].attempt, 1);
    assert.equal(entries[0].status, 200);
    assert.equal(entries[0].request_id, resp.$metadata.requestId);
});

test('bad_model_id_raises_validation_exception', async (t) => {
    const mock = await startMock(t);
    const err = await rejection(client(t, mock).send(
        new ConverseCommand({ modelId: 'anthropic.no-such-model-v1:0', messages: hello() })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, 'The provided model identifier is invalid.');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.$fault, 'client');
    const [entry] = await mock.requests({ operation: 'Converse' });
    assert.equal(entry.status, 400);
    assert.equal(entry.error_code, 'ValidationException');
    assert.equal(entry.request_id, err.$metadata.requestId);
});

test('on_demand_base_id_raises_validation_exception', async (t) => {
    const mock = await startMock(t);
    const id = 'anthropic.claude-sonnet-4-20250514-v1:0';
    const err = await rejection(client(t, mock).send(new ConverseCommand({ modelId: id, messages: hello() })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, `Invocation of model ID ${id} with on-demand throughput isn\u2019t supported. ` +
        'Retry your request with the ID or ARN of an inference profile that contains this model.');
    const [entry] = await mock.requests({ model: id });
    assert.equal(entry.error_code, 'ValidationException');
});

test('inference_profile_arn_reaches_the_model', async (t) => {
    const mock = await startMock(t);
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0';
    const resp = await client(t, mock).send(new ConverseCommand({ modelId: arn, messages: hello() }));
    assert.equal(resp.stopReason, 'end_turn');
    const [entry] = await mock.requests();
    assert.equal(entry.model_id, arn);
    // The SDK percent-encodes the whole label: ':' and '/' travel as %3A and %2F.
    assert.ok(entry.path.startsWith('/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F'),
        entry.path);
});

test('converse_tool_use', async (t) => {
    const mock = await startMock(t);
    const resp = await client(t, mock).send(new ConverseCommand({
        modelId: HAIKU, messages: hello('What is the weather in Paris?'), toolConfig: WEATHER_TOOLS }));
    assert.equal(resp.stopReason, 'tool_use');
    const use = resp.output.message.content.find((b) => b.toolUse).toolUse;
    assert.equal(use.name, 'get_weather');
    assert.match(use.toolUseId, /^tooluse_/);
    assert.equal(typeof use.input.city, 'string');
    const [entry] = await mock.requests({ operation: 'Converse' });
    assert.equal(entry.status, 200);
});

test('converse_reasoning', async (t) => {
    const mock = await startMock(t);
    const resp = await client(t, mock).send(new ConverseCommand({
        modelId: SONNET4, messages: hello(), additionalModelRequestFields: THINKING }));
    const [reasoning, text] = resp.output.message.content;
    assert.equal(typeof reasoning.reasoningContent.reasoningText.text, 'string');
    assert.ok(reasoning.reasoningContent.reasoningText.signature.length > 0);
    assert.match(text.text, /Hello from the JS SDK/);
    const [entry] = await mock.requests({ model: SONNET4 });
    assert.equal(entry.operation, 'Converse');
});
