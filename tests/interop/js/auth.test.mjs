// Credentials the JS SDK sends: SigV4 with long-term and session credentials, and Bedrock API keys
// (AWS_BEARER_TOKEN_BEDROCK, which the JS SDK reads since it learned httpBearerAuth).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

import { startMock } from './mock.mjs';
import { client, hello, rejection, HAIKU } from './sdk.mjs';

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

// ---- --auth strict: the mock verifies signatures and API keys (docs/auth.md) ----

const PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0';
const AKID = 'AKIDJSSTRICT';
const SECRET = 'js/strict+secret';
const TEMP_AKID = 'ASIAJSTEMP';
const TEMP_SECRET = 'temporary/secret';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE//js-token==';
const API_KEY = 'bedrock-api-key-js-listed';

// A credentials file in a temporary folder and a mock started with --auth strict on it.
async function strictMock(t) {
    const dir = mkdtempSync(join(tmpdir(), 'brk-auth-js-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'credentials.json');
    writeFileSync(path, JSON.stringify({
        credentials: [
            { access_key_id: AKID, secret_access_key: SECRET, account_id: '210987654321' },
            { access_key_id: TEMP_AKID, secret_access_key: TEMP_SECRET, session_token: TOKEN },
        ],
        api_keys: [{ key: API_KEY, account_id: '123412341234' }],
    }));
    return startMock(t, ['--auth', 'strict', '--credentials', path]);
}

function converse(c, modelId = HAIKU) {
    return c.send(new ConverseCommand({ modelId, messages: hello() }));
}

test('strict_accepts_a_model_id_with_a_colon', async (t) => {
    const mock = await strictMock(t);
    const env = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET };
    const resp = await converse(client(t, mock, { env }));
    assert.equal(resp.stopReason, 'end_turn');
    const [entry] = await mock.requests();
    assert.equal(entry.account, '210987654321');
    assert.equal(entry.auth, 'sigv4');
});

test('strict_accepts_an_inference_profile_arn', async (t) => {
    const mock = await strictMock(t);
    const env = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET };
    const resp = await converse(client(t, mock, { env }), PROFILE_ARN);
    assert.equal(resp.stopReason, 'end_turn');
    assert.equal((await mock.requests())[0].auth, 'sigv4');
});

test('strict_accepts_a_session_token', async (t) => {
    const mock = await strictMock(t);
    const env = { AWS_ACCESS_KEY_ID: TEMP_AKID, AWS_SECRET_ACCESS_KEY: TEMP_SECRET, AWS_SESSION_TOKEN: TOKEN };
    const resp = await converse(client(t, mock, { env }));
    assert.equal(resp.stopReason, 'end_turn');
    const entries = await mock.requests();
    assert.equal(entries[0].account, TEMP_AKID);
    assert.equal(entries[0].auth, 'sigv4');
    assert.ok(!JSON.stringify(entries).includes(TOKEN));
});

test('strict_refuses_a_wrong_secret_with_the_exact_error', async (t) => {
    const mock = await strictMock(t);
    const env = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: 'not-the-secret' };
    const err = await rejection(converse(client(t, mock, { env })));
    assert.equal(err.name, 'InvalidSignatureException');
    assert.equal(err.$metadata.httpStatusCode, 403);
    const first = 'The request signature we calculated does not match the signature you provided. Check your AWS ' +
        'Secret Access Key and signing method. Consult the service documentation for details.';
    assert.ok(err.message.startsWith(first + '\n\nThe Canonical String for this request should have been\n\'POST\n' +
        '/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse\n'), err.message);
    const [entry] = await mock.requests();
    assert.equal(entry.error_message, first);
    assert.equal(entry.auth, 'invalid-signature');
});

test('strict_accepts_a_listed_bearer_token', async (t) => {
    const mock = await strictMock(t);
    const resp = await converse(client(t, mock, { env: { AWS_BEARER_TOKEN_BEDROCK: API_KEY } }));
    assert.equal(resp.stopReason, 'end_turn');
    const [entry] = await mock.requests();
    assert.equal(entry.auth, 'bearer');
    assert.equal(entry.account, '123412341234');
});

test('strict_refuses_an_unlisted_bearer_token', async (t) => {
    const mock = await strictMock(t);
    const env = { AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-nobody-listed-this' };
    const err = await rejection(converse(client(t, mock, { env })));
    assert.equal(err.name, 'AccessDeniedException');
    assert.equal(err.$metadata.httpStatusCode, 403);
    assert.equal(err.message, 'Authentication failed: Please make sure your API Key is valid.');
    assert.equal((await mock.requests())[0].auth, 'invalid-api-key');
});
