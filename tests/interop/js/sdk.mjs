// AWS SDK for JavaScript v3 clients pointed at a mock the way users do it: the endpoint comes
// only from AWS_ENDPOINT_URL_BEDROCK_RUNTIME, never from code.
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
export const SONNET4 = 'us.anthropic.claude-sonnet-4-20250514-v1:0';

const RESET_VARS = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_BEARER_TOKEN_BEDROCK',
    'AWS_PROFILE', 'AWS_AUTH_SCHEME_PREFERENCE'];

// The SDK reads its configuration from process.env when the client is built; tests in one file
// run one after another, so setting the variables just before building is race-free.
// opts: retryMode ('standard' | 'adaptive'), maxAttempts (total attempts, default 1),
// env (extra or overriding variables; a value of undefined removes the variable),
// http1 (true: send through NodeHttpHandler, HTTP/1.1, instead of the default; see below).
//
// Since 3.798.0 the bedrock-runtime client sends over HTTP/2 by default (NodeHttp2Handler,
// aws/aws-sdk-js-v3#7041); against an http:// endpoint that means HTTP/2 with prior knowledge
// (h2c), which bedrock-mock answers on the same port as HTTP/1.1. So the clients here are the
// SDK's defaults, as users build them; `http1` covers users who pass NodeHttpHandler.
export function client(t, mock, opts = {}) {
    for (const name of RESET_VARS) {
        delete process.env[name];
    }
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = mock.url;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDINTEROP';
    process.env.AWS_SECRET_ACCESS_KEY = 'interop-secret';
    process.env.AWS_CONFIG_FILE = '/dev/null';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
    for (const [name, value] of Object.entries(opts.env ?? {})) {
        if (value === undefined) {
            delete process.env[name];
        } else {
            process.env[name] = value;
        }
    }
    const c = new BedrockRuntimeClient({
        region: 'us-east-1',
        retryMode: opts.retryMode ?? 'standard',
        maxAttempts: opts.maxAttempts ?? 1,
        ...(opts.http1 ? { requestHandler: new NodeHttpHandler() } : {}),
    });
    // Keep-alive sockets would hold the test process open after the mock is gone.
    t.after(() => c.destroy());
    return c;
}

// The one-message conversation most cases send.
export function hello(text = 'Hello from the JS SDK') {
    return [{ role: 'user', content: [{ text }] }];
}

// A weather tool and a toolChoice that forces it: the mock then answers with a toolUse block.
export const WEATHER_TOOLS = {
    tools: [{
        toolSpec: {
            name: 'get_weather',
            description: 'Current weather of a city',
            inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        },
    }],
    toolChoice: { any: {} },
};

// A system prompt long enough to pass every model's cache minimum (docs/prompt-caching.md).
export const LONG_INSTRUCTIONS = Array.from({ length: 150 },
    (_, i) => `Rule ${i}: answer politely and cite section ${i}.`).join(' ');

// Extended thinking on a reasoning model (Claude's `thinking` field).
export const THINKING = { thinking: { type: 'enabled', budget_tokens: 1024 } };

// Read a ConverseStream reply to its end: the event names in order, and the content blocks
// rebuilt from the deltas (text, tool input JSON, reasoning text and signature).
export async function drain(resp) {
    const names = [];
    const blocks = [];
    let stopReason;
    let usage;
    for await (const ev of resp.stream) {
        const [name] = Object.keys(ev);
        names.push(name);
        const body = ev[name];
        if (name === 'contentBlockStart') {
            blocks[body.contentBlockIndex] = { toolUse: { ...body.start.toolUse, input: '' } };
        } else if (name === 'contentBlockDelta') {
            const b = blocks[body.contentBlockIndex] ??= {};
            const d = body.delta;
            if (d.text !== undefined) {
                b.text = (b.text ?? '') + d.text;
            } else if (d.toolUse) {
                b.toolUse.input += d.toolUse.input;
            } else if (d.reasoningContent) {
                b.reasoning ??= { text: '', signature: '' };
                b.reasoning.text += d.reasoningContent.text ?? '';
                b.reasoning.signature += d.reasoningContent.signature ?? '';
            }
        } else if (name === 'messageStop') {
            stopReason = body.stopReason;
        } else if (name === 'metadata') {
            usage = body.usage;
        }
    }
    return { names, blocks, stopReason, usage };
}

// Run `promise`, expecting it to reject; return the error (fails the test when it resolves).
export async function rejection(promise) {
    try {
        await promise;
    } catch (err) {
        return err;
    }
    throw new Error('expected the call to fail, and it succeeded');
}
