// Prompt caching through the JS SDK (docs/prompt-caching.md): write, read, expiry and the limit of four.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, rejection, LONG_INSTRUCTIONS } from './sdk.mjs';

const SONNET = 'anthropic.claude-3-5-sonnet-20241022-v2:0'; // prompt caching, minimum 1,024 tokens

async function ask(t, mock, question, systemText = LONG_INSTRUCTIONS) {
    const resp = await client(t, mock).send(new ConverseCommand({
        modelId: SONNET,
        system: [{ text: systemText }, { cachePoint: { type: 'default' } }],
        messages: [{ role: 'user', content: [{ text: question }] }],
    }));
    return resp.usage;
}

test('long_cached_system_prompt_writes_then_reads_the_same_tokens', async (t) => {
    const mock = await startMock(t);
    const first = await ask(t, mock, 'What does rule 3 say?');
    assert.ok(first.cacheWriteInputTokens > 1024, JSON.stringify(first));
    assert.equal(first.cacheReadInputTokens, 0);
    assert.deepEqual(first.cacheDetails, [{ ttl: '5m', inputTokens: first.cacheWriteInputTokens }]);
    const second = await ask(t, mock, 'And rule 4?');
    assert.equal(second.cacheReadInputTokens, first.cacheWriteInputTokens);
    assert.equal(second.cacheWriteInputTokens, 0);
    assert.equal(second.totalTokens, second.inputTokens + second.outputTokens + second.cacheReadInputTokens);
    const entries = await mock.requests({ operation: 'Converse' });
    assert.deepEqual(entries.map((e) => e.cache.points[0].outcome), ['write', 'read']);
    assert.equal(entries[0].cache.points[0].location, 'system[1]');
});

test('cached_prefix_expires_after_five_minutes', async (t) => {
    const mock = await startMock(t, ['--clock', 'virtual']);
    const written = (await ask(t, mock, 'q1')).cacheWriteInputTokens;
    await mock.admin('POST', '/_mock/clock', { advance_ms: 300000 });
    const again = await ask(t, mock, 'q2');
    assert.equal(again.cacheReadInputTokens, 0);
    assert.equal(again.cacheWriteInputTokens, written);
    const entries = await mock.requests({ operation: 'Converse' });
    assert.deepEqual(entries.map((e) => e.cache.points[0].outcome), ['write', 'write']);
});

test('five_cache_points_are_a_validation_exception', async (t) => {
    const mock = await startMock(t);
    const content = [];
    for (let i = 0; i < 5; i++) {
        content.push({ text: `part ${i}` }, { cachePoint: { type: 'default' } });
    }
    const err = await rejection(client(t, mock).send(
        new ConverseCommand({ modelId: SONNET, messages: [{ role: 'user', content }] })));
    assert.equal(err.name, 'ValidationException');
    assert.ok(err.message.endsWith('A maximum of 4 blocks with cache_control may be provided. Found 5.'), err.message);
    assert.equal(err.$metadata.httpStatusCode, 400);
    const [entry] = await mock.requests();
    assert.equal(entry.error_message, err.message);
    assert.equal(entry.cache_points.total, 5);
});

test('cache_below_minimum_reject_turns_a_short_prefix_into_a_400', async (t) => {
    const mock = await startMock(t, ['--cache-below-minimum', 'reject']);
    const err = await rejection(ask(t, mock, 'q', 'Be brief.'));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message,
        'There is nothing available to cache. Please remove the invalid cache point and try again.');
    assert.equal((await mock.requests())[0].cache.points[0].reason, 'below_minimum');
    assert.ok((await ask(t, mock, 'q')).cacheWriteInputTokens > 1024);
});

test('cache_max_entries_bounds_the_store', async (t) => {
    const mock = await startMock(t, ['--cache-max-entries', '1']);
    const first = (await ask(t, mock, 'q')).cacheWriteInputTokens;
    await ask(t, mock, 'q', `Another prompt. ${LONG_INSTRUCTIONS}`);
    assert.equal((await mock.admin('GET', '/_mock/cache')).count, 1);
    assert.equal((await ask(t, mock, 'q')).cacheWriteInputTokens, first, 'the first entry was evicted');
    assert.deepEqual((await mock.requests()).map((e) => e.cache.points[0].outcome), ['write', 'write', 'write']);
});
