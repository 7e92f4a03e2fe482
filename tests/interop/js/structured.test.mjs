// Structured output through the JS SDK: the reply text is JSON that JSON.parse takes and that
// has the schema's members (docs/operations.md, "Converse replies"); Bedrock's refusals arrive
// as ValidationException (docs/validation.md, "Structured output").
// Twins of tests/interop/python/test_structured.py.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, drain, rejection, HAIKU } from './sdk.mjs';

const SONNET45 = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const PROMPT = [{ role: 'user', content: [{ text: 'Extract the person: Ada, ada@example.com' }] }];
const SCHEMA = {
    type: 'object',
    properties: {
        name: { type: 'string', minLength: 1 },
        email: { type: 'string', format: 'email' },
        tags: { type: 'array', items: { type: 'string', enum: ['admin', 'user'] }, minItems: 1 },
        address: { $ref: '#/$defs/Address' },
    },
    required: ['name', 'email', 'tags', 'address'],
    additionalProperties: false,
    $defs: { Address: { type: 'object', properties: { zip: { type: 'string', pattern: '^[0-9]{5}$' } },
                        required: ['zip'], additionalProperties: false } },
};

function outputConfig(schema) {
    return { textFormat: { type: 'json_schema',
                           structure: { jsonSchema: { name: 'person', schema: JSON.stringify(schema) } } } };
}

function checkPerson(value) {
    assert.deepEqual(Object.keys(value).sort(), ['address', 'email', 'name', 'tags']);
    assert.ok(value.name.length >= 1 && value.email.includes('@'), JSON.stringify(value));
    assert.ok(value.tags.length >= 1 && value.tags.every((t) => t === 'admin' || t === 'user'));
    assert.match(value.address.zip, /^[0-9]{5}$/);
}

test('converse_output_config_reply_is_json', async (t) => {
    const mock = await startMock(t);
    const resp = await client(t, mock).send(
        new ConverseCommand({ modelId: SONNET45, messages: PROMPT, outputConfig: outputConfig(SCHEMA) }));
    assert.equal(resp.stopReason, 'end_turn');
    checkPerson(JSON.parse(resp.output.message.content[0].text));
});

test('converse_stream_deltas_join_to_the_json', async (t) => {
    const mock = await startMock(t);
    const resp = await client(t, mock).send(
        new ConverseStreamCommand({ modelId: SONNET45, messages: PROMPT, outputConfig: outputConfig(SCHEMA) }));
    const { names, blocks, stopReason } = await drain(resp);
    assert.ok(names.filter((n) => n === 'contentBlockDelta').length > 1, 'several deltas');
    assert.equal(stopReason, 'end_turn');
    checkPerson(JSON.parse(blocks[0].text));
});

test('anthropic_output_config_format_as_the_ai_sdk_sends_it', async (t) => {
    const mock = await startMock(t);
    const fields = { output_config: { format: { type: 'json_schema', schema: SCHEMA } } };
    const resp = await client(t, mock).send(
        new ConverseCommand({ modelId: SONNET45, messages: PROMPT, additionalModelRequestFields: fields }));
    checkPerson(JSON.parse(resp.output.message.content[0].text));
});

test('refusals_are_validation_exceptions', async (t) => {
    const mock = await startMock(t);
    const bounded = { type: 'object', properties: { score: { type: 'number', minimum: 0, maximum: 1 } } };
    const cases = [
        [HAIKU, SCHEMA, 'The model returned the following errors: output_config.format: Extra inputs are not permitted'],
        [SONNET45, bounded, "The model returned the following errors: output_config.format.schema: For 'number' type, " +
                            'properties maximum, minimum are not supported'],
    ];
    for (const [modelId, schema, message] of cases) {
        const err = await rejection(client(t, mock).send(
            new ConverseCommand({ modelId, messages: PROMPT, outputConfig: outputConfig(schema) })));
        assert.equal(err.name, 'ValidationException');
        assert.equal(err.message, message);
        assert.equal(err.$metadata.httpStatusCode, 400);
    }
});
