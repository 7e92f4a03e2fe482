// The Node helper with the real AWS SDK for JavaScript v3 under node:test (run by `make test`
// through tests/contrib/run.sh, or `npm test` here). Each test gets its own mock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { BedrockRuntimeClient, ConverseCommand, ThrottlingException } from '@aws-sdk/client-bedrock-runtime';
import { startBedrockMock, connectBedrockMock, BedrockMockError, formatJournal } from '../index.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const SONNET = 'anthropic.claude-3-5-sonnet-20241022-v2:0'; // prompt caching, minimum 1,024 tokens
const HELLO = [{ role: 'user', content: [{ text: 'Hello from node:test' }] }];
// Long enough to pass every model's cache minimum (docs/prompt-caching.md).
const LONG_INSTRUCTIONS = Array.from({ length: 150 }, (_, i) => `Rule ${i}: answer politely and cite section ${i}.`).join(' ');

// A mock the test `t` stops, and clients built the way users build them: endpoint, credentials
// and region come from process.env, which startBedrockMock set.
async function setup(t, options) {
    const mock = await startBedrockMock(options);
    t.after(() => mock.stop());
    const client = (config = {}) => {
        const c = new BedrockRuntimeClient({ retryMode: 'standard', maxAttempts: 1, ...config });
        t.after(() => c.destroy()); // keep-alive sockets would hold the process open
        return c;
    };
    return { mock, client };
}

test('the environment points the SDK at the mock and stop() restores it', async (t) => {
    const before = process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    const mock = await startBedrockMock();
    try {
        assert.equal(process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME, mock.url);
        const c = new BedrockRuntimeClient({ maxAttempts: 1 });
        const resp = await c.send(new ConverseCommand({ modelId: HAIKU, messages: HELLO }));
        c.destroy();
        assert.equal(resp.stopReason, 'end_turn');
        const [entry] = await mock.journal();
        assert.deepEqual([entry.operation, entry.account, entry.status], ['Converse', 'AKIDEXAMPLE', 200]);
        assert.equal((await mock.health()).clock, 'virtual');
    } finally {
        await mock.stop();
    }
    assert.equal(process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME, before);
    assert.equal(mock.running, false);
});

test('a throttle storm shows the SDK three attempts per call', async (t) => {
    const { mock, client } = await setup(t);
    const storm = await mock.throttle({ operation: 'Converse' });
    const c = client({ maxAttempts: 3 });
    await assert.rejects(c.send(new ConverseCommand({ modelId: HAIKU, messages: HELLO })), (err) => {
        assert.ok(err instanceof ThrottlingException);
        assert.equal(err.$metadata.attempts, 3);
        return true;
    });
    assert.deepEqual(Object.values(await mock.attemptsByInvocation()), [3]);
    assert.deepEqual((await mock.journal()).map((e) => [e.status, e.attempt]), [[429, 1], [429, 2], [429, 3]]);
    assert.equal((await mock.rule(storm)).fired, 3);
    assert.match(formatJournal(await mock.journal()), /#3 {2}Converse .* 429 {2}ThrottlingException: .*attempt 3\/3/);
});

test('two throttles then the third attempt succeeds', async (t) => {
    const { mock, client } = await setup(t);
    await mock.throttle({ times: 2, model: HAIKU });
    const resp = await client({ maxAttempts: 3 }).send(new ConverseCommand({ modelId: HAIKU, messages: HELLO }));
    assert.equal(resp.$metadata.attempts, 3);
    assert.deepEqual((await mock.journal()).map((e) => e.status), [429, 429, 200]);
});

test('a cache write then a read', async (t) => {
    const { mock, client } = await setup(t);
    const c = client();
    const ask = async (question) => (await c.send(new ConverseCommand({
        modelId: SONNET,
        system: [{ text: LONG_INSTRUCTIONS }, { cachePoint: { type: 'default' } }],
        messages: [{ role: 'user', content: [{ text: question }] }],
    }))).usage;
    const first = await ask('What does rule 3 say?');
    const second = await ask('And rule 4?');
    assert.ok(first.cacheWriteInputTokens > 0);
    assert.equal(second.cacheReadInputTokens, first.cacheWriteInputTokens);
    assert.deepEqual(await mock.cacheOutcomes(), [['write'], ['read']]);
    assert.equal((await mock.cache()).length, 1);
    await mock.advanceClock(5 * 60 * 1000); // the 5-minute TTL passes on the virtual clock
    await ask('And rule 5?');
    assert.deepEqual((await mock.cacheOutcomes()).at(-1), ['write']);
});

test('fail sends any Bedrock error with its message', async (t) => {
    const { mock, client } = await setup(t);
    await mock.fail({ error: 'ServiceUnavailableException', message: 'Try later.', times: 1 });
    await assert.rejects(client().send(new ConverseCommand({ modelId: HAIKU, messages: HELLO })), (err) => {
        assert.equal(err.name, 'ServiceUnavailableException');
        assert.equal(err.message, 'Try later.');
        assert.equal(err.$metadata.httpStatusCode, 503);
        return true;
    });
    assert.deepEqual((await mock.journal()).map((e) => e.error_code), ['ServiceUnavailableException']);
});

test('reply scripts a tool call then the answer', async (t) => {
    const { mock, client } = await setup(t);
    await mock.reply({ text: 'It is 18 C in Paris.', match: { toolResult: 'get_weather' } });
    await mock.reply({ toolUse: { name: 'get_weather', input: { city: 'Paris' } }, text: 'weather' });
    const toolConfig = { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }] };
    const c = client();
    const messages = [{ role: 'user', content: [{ text: 'What is the weather in Paris?' }] }];
    const first = await c.send(new ConverseCommand({ modelId: HAIKU, messages, toolConfig }));
    assert.equal(first.stopReason, 'tool_use');
    const call = first.output.message.content.at(-1).toolUse;
    assert.deepEqual([call.name, call.input], ['get_weather', { city: 'Paris' }]);
    messages.push(first.output.message,
        { role: 'user', content: [{ toolResult: { toolUseId: call.toolUseId, content: [{ text: '18 C' }] } }] });
    const second = await c.send(new ConverseCommand({ modelId: HAIKU, messages, toolConfig }));
    assert.equal(second.output.message.content[0].text, 'It is 18 C in Paris.');
});

test('a quota throttles until the virtual minute passes', async (t) => {
    const { mock, client } = await setup(t);
    await mock.setQuota({ model: HAIKU, tokensPerMinute: 300 });
    const c = client();
    const send = (maxTokens) => c.send(new ConverseCommand({ modelId: HAIKU, messages: HELLO, inferenceConfig: { maxTokens } }));
    await send(250);
    await assert.rejects(send(280), { name: 'ThrottlingException', message: 'Too many tokens, please wait before trying again.' });
    await mock.advanceClock(60000);
    await send(280);
    assert.deepEqual((await mock.journal()).map((e) => e.status), [200, 429, 200]);
});

test('reset forgets rules and the journal; journal filters and bodies', async (t) => {
    const { mock, client } = await setup(t);
    await mock.addRule({ id: 'always', error: 'ValidationException' });
    await assert.rejects(client().send(new ConverseCommand({ modelId: HAIKU, messages: HELLO })));
    await mock.reset();
    assert.deepEqual([await mock.rules(), await mock.journal()], [[], []]);
    for (let i = 0; i < 3; i++) {
        await client().send(new ConverseCommand({ modelId: HAIKU, messages: HELLO }));
    }
    assert.deepEqual((await mock.journal({ since: 1 })).map((e) => e.seq), [2, 3]);
    const withBodies = await mock.journal({ bodies: true, operation: 'Converse' }); // bodies where the mock keeps them
    assert.equal(withBodies.length, 3);
    if ('request_body' in withBodies[0]) {
        assert.match(JSON.stringify(withBodies[0].request_body), /Hello from node:test/);
    }
});

test('a refused admin call rejects with the mock message', async (t) => {
    const { mock } = await setup(t);
    await assert.rejects(mock.addRule({ error: 'ThrottlingException', tymes: 2 }), (err) => {
        assert.ok(err instanceof BedrockMockError);
        assert.equal(err.status, 400);
        assert.match(err.message, /tymes/);
        return true;
    });
});

test('a missing binary is a readable error', async () => {
    await assert.rejects(startBedrockMock({ bin: '/nonexistent/bedrock-mock' }), /cannot run \/nonexistent\/bedrock-mock/);
});

test('the CommonJS entry is the same implementation', () => {
    const require = createRequire(import.meta.url);
    assert.equal(require('../index.cjs').startBedrockMock, startBedrockMock);
});

// The scenario runner (bedrock-scenario) is built separately: these skip until it exists.
const scenarioFile = join(here, '..', '..', 'python', 'tests', 'scenarios', 'throttle-once.json');
const scenarioBin = process.env.BEDROCK_MOCK_BIN ? join(dirname(process.env.BEDROCK_MOCK_BIN), 'bedrock-scenario') : '';
let haveScenario = false;
try {
    haveScenario = scenarioBin !== '' && readFileSync(scenarioBin).length > 0;
} catch {
    haveScenario = false;
}
const skipScenario = haveScenario ? false : 'bedrock-scenario not built (scenario runner)';

test('a scenario file: serve, then check its expectations', { skip: skipScenario }, async (t) => {
    const { mock, client } = await setup(t, { scenario: scenarioFile, scenarioBin });
    assert.equal(process.env.AWS_MAX_ATTEMPTS, '3'); // the scenario's client settings are exported
    const resp = await client({ maxAttempts: 3 }).send(new ConverseCommand({ modelId: HAIKU, messages: HELLO }));
    assert.equal(resp.$metadata.attempts, 2);
    assert.equal((await mock.checkScenario()).ok, true);
});

test('loadScenario replaces the mock on the same port; a broken expectation fails the check', { skip: skipScenario }, async (t) => {
    const { mock, client } = await setup(t, { scenarioBin });
    const port = mock.port;
    await mock.loadScenario(scenarioFile);
    assert.equal(mock.port, port);
    await assert.rejects(client().send(new ConverseCommand({ modelId: HAIKU, messages: HELLO })));
    const check = await mock.checkScenario();
    assert.equal(check.ok, false);
    assert.notEqual(check.output, '');
});

test('connectBedrockMock drives a mock started elsewhere', async (t) => {
    const owner = await startBedrockMock({ env: false });
    t.after(() => owner.stop());
    const before = process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    const mock = connectBedrockMock(owner.url + '/');
    assert.equal(process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME, owner.url);
    await mock.reply({ text: 'from the global setup' });
    const c = new BedrockRuntimeClient({ maxAttempts: 1 });
    t.after(() => c.destroy());
    const resp = await c.send(new ConverseCommand({ modelId: HAIKU, messages: HELLO }));
    assert.equal(resp.output.message.content[0].text, 'from the global setup');
    await mock.stop();
    assert.equal(process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME, before);
    assert.equal(owner.running, true);
});

test('formatJournal adds the last bodies when the journal keeps them', () => {
    const entry = { seq: 1, operation: 'Converse', model_id: 'm', status: 200 };
    assert.equal(formatJournal([entry]), '#1  Converse  m  200');
    const lines = formatJournal([entry, { ...entry, seq: 2, request_body: { messages: [] }, response_body: 'x'.repeat(3000) }]).split('\n');
    assert.equal(lines[2], 'last request_body: {"messages":[]}');
    assert.equal(lines[3], 'last response_body: "' + 'x'.repeat(1999) + '…');
    assert.equal(formatJournal([]), '(no request reached the mock)');
});
