// Endpoint discovery: the SDK finds the mock through AWS_ENDPOINT_URL_BEDROCK_RUNTIME alone.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, hello, rejection, HAIKU } from './sdk.mjs';

test('endpoint_comes_from_the_environment', async (t) => {
    const mock = await startMock(t);
    // The service-specific variable wins over the global one, which points nowhere.
    const c = client(t, mock, { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    assert.equal(c.config.endpoint, undefined, 'no endpoint in code');
    const resp = await c.send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.$metadata.httpStatusCode, 200);
    const entries = await mock.requests();
    assert.equal(entries.length, 1);
    assert.equal(entries[0].path, '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    assert.equal(entries[0].operation, 'Converse');
});

// The bedrock-runtime client's default handler is HTTP/2 (aws/aws-sdk-js-v3#7041): against an
// http:// endpoint it speaks h2c with prior knowledge, which the mock answers on its one port.
test('default_http2_client_reaches_the_mock', async (t) => {
    const mock = await startMock(t);
    const c = client(t, mock);
    assert.equal(c.config.requestHandler.constructor.name, 'NodeHttp2Handler');
    const resp = await c.send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.$metadata.httpStatusCode, 200);
    assert.equal(resp.stopReason, 'end_turn');
    const err = await rejection(c.send(new ConverseCommand({ modelId: 'anthropic.no-such-model-v1:0', messages: hello() })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, 'The provided model identifier is invalid.');
    // Concurrent calls travel as streams of the client's HTTP/2 session.
    const many = await Promise.all([1, 2, 3].map((i) =>
        c.send(new ConverseCommand({ modelId: HAIKU, messages: hello(`call ${i}`) }))));
    assert.deepEqual(many.map((r) => r.$metadata.httpStatusCode), [200, 200, 200]);
    const entries = await mock.requests();
    assert.equal(entries.length, 5);
    assert.ok(entries.every((e) => e.http_version === 'HTTP/2'), JSON.stringify(entries.map((e) => e.http_version)));
    assert.equal(entries[0].request_id, resp.$metadata.requestId);
    assert.equal(entries[1].request_id, err.$metadata.requestId);
});

// Users who pass NodeHttpHandler (the workaround for HTTP/1.1-only proxies) reach the same port.
test('http1_handler_reaches_the_mock', async (t) => {
    const mock = await startMock(t);
    const c = client(t, mock, { http1: true });
    assert.equal(c.config.requestHandler.constructor.name, 'NodeHttpHandler');
    const resp = await c.send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.$metadata.httpStatusCode, 200);
    const [entry] = await mock.requests();
    assert.equal(entry.http_version, 'HTTP/1.1');
    assert.equal(entry.request_id, resp.$metadata.requestId);
});
