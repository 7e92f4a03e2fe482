// The JS SDK's InvokeModelCommand with the native bodies of the families beyond Anthropic,
// Nova, Llama and Titan Text (docs/operations.md): the twin of python/test_invoke_families.py.
import test from 'node:test';
import assert from 'node:assert/strict';
import { InvokeModelCommand, InvokeModelWithResponseStreamCommand, ValidationException } from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client } from './sdk.mjs';

async function invoke(t, mock, modelId, body) {
    const resp = await client(t, mock).send(new InvokeModelCommand({ modelId, body: JSON.stringify(body) }));
    return JSON.parse(Buffer.from(resp.body).toString('utf8'));
}

test('cohere_command_text', async (t) => {
    const mock = await startMock(t);
    const out = await invoke(t, mock, 'cohere.command-text-v14', { prompt: 'Hello Cohere', max_tokens: 100 });
    assert.match(out.generations[0].text, /Hello Cohere/);
    assert.equal(out.generations[0].finish_reason, 'COMPLETE');
});

test('mistral_text_completion_and_its_refusal', async (t) => {
    const mock = await startMock(t);
    const out = await invoke(t, mock, 'mistral.mistral-7b-instruct-v0:2', { prompt: '<s>[INST] Hello Mistral [/INST]' });
    assert.match(out.outputs[0].text, /Hello Mistral/);
    assert.equal(out.outputs[0].stop_reason, 'stop');
    await assert.rejects(invoke(t, mock, 'mistral.mistral-7b-instruct-v0:2', { inputText: 'wrong family' }), (err) => {
        assert.ok(err instanceof ValidationException, `${err.name}: ${err.message}`);
        assert.ok(err.message.startsWith('Malformed input request: #: required key [prompt] not found#: extraneous key [inputText]'));
        return true;
    });
});

test('gpt_oss_chat_completions', async (t) => {
    const mock = await startMock(t);
    const out = await invoke(t, mock, 'openai.gpt-oss-120b-1:0',
        { messages: [{ role: 'user', content: 'Hello gpt-oss' }], max_completion_tokens: 200 });
    assert.equal(out.object, 'chat.completion');
    assert.match(out.choices[0].message.content, /Hello gpt-oss/);
    assert.equal(out.usage.total_tokens, out.usage.prompt_tokens + out.usage.completion_tokens);
});

test('titan_and_cohere_embeddings', async (t) => {
    const mock = await startMock(t);
    const out = await invoke(t, mock, 'amazon.titan-embed-text-v2:0', { inputText: 'Hello', dimensions: 512 });
    assert.equal(out.embedding.length, 512);
    assert.ok(Math.abs(Math.hypot(...out.embedding) - 1) < 1e-3);
    const again = await invoke(t, mock, 'amazon.titan-embed-text-v2:0', { inputText: 'Hello', dimensions: 512 });
    assert.deepEqual(again.embedding, out.embedding);
    const cohere = await invoke(t, mock, 'cohere.embed-english-v3', { texts: ['a', 'b', 'c'], input_type: 'search_document' });
    assert.deepEqual(cohere.embeddings.map((v) => v.length), [1024, 1024, 1024]);
    assert.equal(cohere.response_type, 'embeddings_floats');
});

test('native_streams_join_to_the_whole_answer', async (t) => {
    const mock = await startMock(t);
    const c = client(t, mock);
    const cases = [
        ['cohere.command-r-v1:0', { message: 'Hello stream' }, (x) => x.text ?? ''],
        ['mistral.mistral-large-2407-v1:0', { messages: [{ role: 'user', content: 'Hello stream' }] },
            (x) => x.choices[0].message.content],
        ['openai.gpt-oss-120b-1:0', { messages: [{ role: 'user', content: 'Hello stream' }] },
            (x) => x.choices[0].delta.content],
    ];
    for (const [modelId, body, piece] of cases) {
        const resp = await c.send(new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(body) }));
        const chunks = [];
        for await (const e of resp.body) {
            chunks.push(JSON.parse(Buffer.from(e.chunk.bytes).toString('utf8')));
        }
        const text = chunks.slice(0, -1).map(piece).join('');
        assert.match(text, /Hello stream/, modelId);
        assert.ok(chunks.at(-1)['amazon-bedrock-invocationMetrics'].outputTokenCount > 0, modelId);
    }
});

test('open_weight_chat_families_streamed_and_not', async (t) => {
    const mock = await startMock(t);
    const c = client(t, mock);
    const cases = [
        ['qwen.qwen3-32b-v1:0', 'Hello Qwen'],
        ['moonshot.kimi-k2-thinking', 'Hello Kimi'],
        ['us.writer.palmyra-x5-v1:0', { text: 'Hello Palmyra' }],
    ];
    for (const [modelId, content] of cases) {
        const said = typeof content === 'string' ? content : content.text;
        const body = { messages: [{ role: 'user', content }], max_tokens: 300 };
        const out = await invoke(t, mock, modelId, body);
        assert.ok(out.choices[0].message.content.includes(said), modelId);
        assert.equal(out.choices[0].finish_reason, 'stop', modelId);
        const resp = await c.send(new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(body) }));
        const chunks = [];
        for await (const e of resp.body) {
            chunks.push(JSON.parse(Buffer.from(e.chunk.bytes).toString('utf8')));
        }
        const text = chunks.slice(0, -1).map((x) => x.choices[0].delta.content ?? '').join('');
        assert.equal(text, out.choices[0].message.content, modelId);
    }
    await assert.rejects(invoke(t, mock, 'us.writer.palmyra-x4-v1:0', { messages: [], top_k: 5 }), (err) => {
        assert.ok(err instanceof ValidationException, `${err.name}: ${err.message}`);
        assert.equal(err.message,
            'Malformed input request: #: extraneous key [top_k] is not permitted, please reformat your input and try again.');
        return true;
    });
});

test('claude_thinking_rules_on_invoke_model', async (t) => {
    const mock = await startMock(t);
    const modelId = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
    const body = {
        anthropic_version: 'bedrock-2023-05-31', max_tokens: 4000,
        thinking: { type: 'enabled', budget_tokens: 500 }, messages: [{ role: 'user', content: 'Hi' }],
    };
    await assert.rejects(invoke(t, mock, modelId, body), (err) => {
        assert.ok(err instanceof ValidationException, `${err.name}: ${err.message}`);
        assert.equal(err.message, 'The model returned the following errors: '
            + 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
        return true;
    });
    body.thinking.budget_tokens = 1024;
    const out = await invoke(t, mock, modelId, body);
    assert.equal(out.type, 'message');
});
