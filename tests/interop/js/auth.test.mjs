// Credentials the JS SDK sends: SigV4 with long-term and session credentials, and Bedrock API keys
// (AWS_BEARER_TOKEN_BEDROCK, which the JS SDK reads since it learned httpBearerAuth).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, hello, HAIKU } from './sdk.mjs';

// The journal names a bearer caller by a digest of the token, never by the token.
function bearerAccount(token) {
    return 'bearer-' + createHash('sha256').update(token).digest('hex').slice(0, 12);
}

test('bearer_api_key_from_the_environment', async (t) => {
    const mock = await startMock(t);
    const token = 'bedrock-api-key-interop-js';
    const resp = await client(t, mock, { env: { AWS_BEARER_TOKEN_BEDROCK: token } })
        .send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.$metadata.httpStatusCode, 200);
    const [entry] = await mock.requests();
    assert.equal(entry.account, bearerAccount(token));
    assert.match(entry.auth, /^bearer/);
});

test('session_credentials_sign_the_request', async (t) => {
    const mock = await startMock(t);
    const env = { AWS_ACCESS_KEY_ID: 'ASIAINTEROPSESSION', AWS_SESSION_TOKEN: 'interop-session-token' };
    const resp = await client(t, mock, { env }).send(new ConverseCommand({ modelId: HAIKU, messages: hello() }));
    assert.equal(resp.$metadata.httpStatusCode, 200);
    const [entry] = await mock.requests();
    assert.equal(entry.account, 'ASIAINTEROPSESSION');
    assert.match(entry.auth, /^sigv4/);
});
