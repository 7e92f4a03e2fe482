// Request validation seen through the JS SDK: it checks nothing client-side, so what it sends
// reaches the mock, which answers with Bedrock's error type and words (docs/validation.md).
// Twins of tests/interop/python/test_validation.py.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ConverseCommand, ValidationException } from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, rejection, HAIKU } from './sdk.mjs';

// The error, checked to be a 400 ValidationException that the journal recorded with the same text.
async function validationError(mock, promise) {
    const err = await rejection(promise);
    assert.ok(err instanceof ValidationException, `${err.name}: ${err.message}`);
    assert.equal(err.$metadata.httpStatusCode, 400);
    const [entry] = await mock.requests({ operation: 'Converse' });
    assert.equal(entry.error_code, 'ValidationException');
    // The journal keeps the first 255 bytes of a message (journal.h).
    assert.ok(err.message.startsWith(entry.error_message) && entry.error_message.length > 0, entry.error_message);
    return err;
}

test('enum_and_range_violations_are_listed_together', async (t) => {
    const mock = await startMock(t);
    const err = await validationError(mock, client(t, mock).send(new ConverseCommand({
        modelId: HAIKU, messages: [{ role: 'bot', content: [{ text: 'hi' }] }],
        inferenceConfig: { temperature: 99.0 } })));
    // JavaScript writes the number 99.0 as 99; Bedrock's (Java) message prints the float: '99.0'.
    assert.equal(err.message,
        "2 validation errors detected: Value 'bot' at 'messages.1.member.role' failed to satisfy constraint: " +
        "Member must satisfy enum value set: [user, assistant, system]; Value '99.0' at " +
        "'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1");
});

test('blank_text_block_is_refused_with_bedrocks_words', async (t) => {
    const mock = await startMock(t);
    const err = await validationError(mock, client(t, mock).send(new ConverseCommand({
        modelId: HAIKU, messages: [{ role: 'user', content: [{ text: '  ' }] }] })));
    assert.equal(err.message, 'The text field in the ContentBlock object at messages.0.content.0 is blank. ' +
        'Add text to the text field, and try again.');
});

test('valid_multi_turn_tool_request_is_accepted', async (t) => {
    const mock = await startMock(t);
    const toolConfig = { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }] };
    const messages = [
        { role: 'user', content: [{ text: 'Weather?' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: {} } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ json: { c: 18 } }] } }] },
    ];
    const resp = await client(t, mock).send(new ConverseCommand({ modelId: HAIKU, messages, toolConfig }));
    assert.equal(resp.$metadata.httpStatusCode, 200);
    const [entry] = await mock.requests({ operation: 'Converse' });
    assert.equal(entry.status, 200);
    assert.equal(entry.request_id, resp.$metadata.requestId);
});
