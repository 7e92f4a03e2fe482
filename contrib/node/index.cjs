'use strict';
// @bedrock-harness/mock: start bedrock-mock (a local Amazon Bedrock Runtime) from a JavaScript
// test suite and drive its admin API (docs/admin-api.md, docs/rules.md). No dependencies.
//
// startBedrockMock(options) spawns bedrock-mock on a free port (or `bedrock-scenario serve FILE`
// for a scenario file), waits for /_mock/health, exports the endpoint, dummy credentials and the
// region into process.env (restored by stop()), and returns a BedrockMock, which owns its child
// process until stop(). One mock per test file or worker: its methods are not meant to be
// called by concurrent tests. Guide: docs/javascript.md. Node >= 18 (global fetch).
const { execFile } = require('node:child_process');
const internal = require('./internal.cjs');

const { DEADLINE_MS, ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION, UNSET_VARS } = internal;

class BedrockMockError extends Error {
    constructor(message, status, body) {
        super(message);
        this.name = 'BedrockMockError';
        this.status = status;
        this.body = body;
    }
}

class BedrockMock {
    constructor(child, url, options) {
        this._child = child;
        this.url = url;
        this.scenario = null;
        this._options = options;
        this._savedEnv = null;
    }

    get port() {
        return Number(new URL(this.url).port);
    }

    // The variables an AWS SDK needs to reach the mock: endpoint, dummy credentials, region;
    // with a scenario loaded, also what its `client` says (as `bedrock-scenario exec` exports).
    get env() {
        const env = { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: this.url, AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, AWS_REGION: REGION, AWS_DEFAULT_REGION: REGION };
        return this.scenario ? { ...env, ...internal.scenarioClientEnv(this.scenario) } : env;
    }

    get running() {
        return this._child !== null && this._child.running;
    }

    _exportEnv() {
        if (this._options.env === false) {
            return;
        }
        const env = this.env;
        if (this._savedEnv === null) {
            this._savedEnv = {};
            for (const name of [...UNSET_VARS, ...Object.keys(env), 'AWS_RETRY_MODE', 'AWS_MAX_ATTEMPTS']) {
                this._savedEnv[name] = process.env[name];
            }
        }
        for (const name of UNSET_VARS) {
            delete process.env[name];
        }
        Object.assign(process.env, env);
    }

    _restoreEnv() {
        for (const [name, value] of Object.entries(this._savedEnv || {})) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
        this._savedEnv = null;
    }

    // End the process and put process.env back as it was. Safe to call twice.
    async stop() {
        if (this._child) {
            await this._child.stop();
            this._child = null;
        }
        this._restoreEnv();
    }

    // One admin call; the parsed JSON answer. A non-2xx answer throws a BedrockMockError.
    async admin(method, path, body, query) {
        const params = new URLSearchParams(Object.entries(query || {}).filter(([, v]) => v !== undefined && v !== null));
        const url = this.url + path + (params.toString() ? '?' + params : '');
        const init = { method, signal: AbortSignal.timeout(DEADLINE_MS) };
        if (body !== undefined) {
            init.body = JSON.stringify(body);
            init.headers = { 'content-type': 'application/json' };
        }
        const resp = await fetch(url, init);
        const text = await resp.text();
        if (!resp.ok) {
            let message = text;
            try {
                message = JSON.parse(text).message || text;
            } catch {
                // not JSON: keep the text
            }
            throw new BedrockMockError(`${method} ${path}: ${resp.status} ${message}`, resp.status, text);
        }
        return text ? JSON.parse(text) : {};
    }

    health() {
        return this.admin('GET', '/_mock/health');
    }

    // Add a rule (an object) or several (an array), all or nothing; resolves to the id or ids.
    async addRule(rule) {
        const added = (await this.admin('POST', '/_mock/rules', rule)).rules.map((r) => r.id);
        return Array.isArray(rule) || rule.rules ? added : added[0];
    }

    // Answer matching requests with a ThrottlingException (429); `times` times, or always.
    async throttle(options = {}) {
        return this.fail({ error: 'ThrottlingException', ...options });
    }

    // Answer matching requests with one of Bedrock's errors (docs/errors.md), optionally with `message`.
    async fail(options = {}) {
        const { error = 'InternalServerException', message, ...rest } = options;
        return this.addRule(internal.buildRule(message === undefined ? { error } : { error, message }, rest));
    }

    // Script the model's answer: `text`, a `toolUse` ({name, input}), `stopReason`, `usage`.
    async reply(options = {}) {
        const { text, toolUse, stopReason, usage, ...rest } = options;
        const reply = Object.fromEntries(Object.entries({ text, toolUse, stopReason, usage }).filter(([, v]) => v !== undefined));
        if (!Object.keys(reply).length) {
            throw new TypeError('reply() needs text, toolUse, stopReason or usage');
        }
        return this.addRule(internal.buildRule({ reply }, rest));
    }

    async rules() {
        return (await this.admin('GET', '/_mock/rules')).rules;
    }

    rule(id) {
        return this.admin('GET', '/_mock/rules/' + encodeURIComponent(id));
    }

    // Remove one rule, or every rule when no id is given.
    async removeRule(id) {
        await this.admin('DELETE', '/_mock/rules' + (id === undefined ? '' : '/' + encodeURIComponent(id)));
    }

    // Per-model limits (0 = unlimited); `model` may be a glob. Resolves to GET /_mock/quotas.
    setQuota({ model = '*', tokensPerMinute = 0, requestsPerMinute = 0, tokensPerDay = 0, retryAfter = false } = {}) {
        return this.admin('PUT', '/_mock/quotas', { model, tokens_per_minute: tokensPerMinute,
            requests_per_minute: requestsPerMinute, tokens_per_day: tokensPerDay, retry_after: retryAfter });
    }

    quotas() {
        return this.admin('GET', '/_mock/quotas');
    }

    // Move the virtual clock (startBedrockMock starts the mock with --clock virtual).
    advanceClock(ms) {
        return this.admin('POST', '/_mock/clock', { advance_ms: Math.trunc(ms) });
    }

    clock() {
        return this.admin('GET', '/_mock/clock');
    }

    // The journal, oldest first. bodies: true asks for request and response bodies (where the
    // mock records them); since: SEQ keeps the entries after that sequence number.
    async journal({ operation, model, invocationId, account, bodies = false, since } = {}) {
        const query = { operation, model, invocation_id: invocationId, account, bodies: bodies ? '1' : undefined, since };
        const { requests } = await this.admin('GET', '/_mock/requests', undefined, query);
        // A mock without `since` returns everything: filter here too (same meaning: seq > SEQ).
        return since === undefined ? requests : requests.filter((e) => e.seq > since);
    }

    // {invocationId: attempts}: every retry of one SDK call shares its amz-sdk-invocation-id.
    // A request without the header counts alone, under its request id.
    async attemptsByInvocation(filters = {}) {
        const counts = {};
        for (const e of await this.journal(filters)) {
            const key = e.invocation_id || e.request_id;
            counts[key] = (counts[key] || 0) + 1;
        }
        return counts;
    }

    // For each request with cache points, the outcome of each point: [['write'], ['read']].
    async cacheOutcomes(filters = {}) {
        return (await this.journal(filters)).filter((e) => e.cache).map(internal.cacheOutcomesOf);
    }

    async formattedJournal(filters = {}) {
        return internal.formatJournal(await this.journal({ bodies: true, ...filters }));
    }

    async cache() {
        return (await this.admin('GET', '/_mock/cache')).entries;
    }

    async clearCache() {
        await this.admin('DELETE', '/_mock/cache');
    }

    async clearJournal() {
        await this.admin('DELETE', '/_mock/requests');
    }

    // Forget the journal, the prompt cache and added rules; quotas back to their start.
    async reset() {
        await this.admin('POST', '/_mock/reset');
    }

    // Replace this mock with `bedrock-scenario serve FILE` on the same port: the scenario's setup
    // applies; checkScenario() then checks its expectations. process.env follows the new URL.
    async loadScenario(file) {
        const bin = scenarioBinary(this._options);
        const port = this.port;
        if (!this._child) {
            throw new BedrockMockError('loadScenario() needs a mock this helper started (startBedrockMock)');
        }
        await this._child.stop();
        const { child, url } = await internal.startScenarioProcess(bin, file, port);
        this._child = child;
        this.url = url;
        await internal.waitHealthy(child, url);
        this.scenario = file;
        this._exportEnv();
    }

    // `bedrock-scenario check FILE --endpoint URL`: {ok, code, output}.
    checkScenario() {
        if (!this.scenario) {
            return Promise.reject(new BedrockMockError('no scenario loaded'));
        }
        const argv = ['check', this.scenario, '--endpoint', this.url];
        return new Promise((resolve) => {
            execFile(scenarioBinary(this._options), argv, { timeout: DEADLINE_MS }, (err, stdout, stderr) => {
                const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
                resolve({ ok: code === 0, code, output: stdout + stderr });
            });
        });
    }
}

function mockBinary(options) {
    const bin = internal.findBinary('bedrock-mock', options.bin, 'BEDROCK_MOCK_BIN');
    if (!bin) {
        throw new BedrockMockError('bedrock-mock not found: build it (make) or install it, or pass {bin} or BEDROCK_MOCK_BIN');
    }
    return bin;
}

function scenarioBinary(options) {
    const bin = internal.findBinary('bedrock-scenario', options.scenarioBin, 'BEDROCK_SCENARIO_BIN');
    if (!bin) {
        throw new BedrockMockError('bedrock-scenario not found: pass {scenarioBin} or BEDROCK_SCENARIO_BIN');
    }
    return bin;
}

// options: bin, scenarioBin, args (extra bedrock-mock options; --clock virtual is added unless
// they name a --clock), scenario (a scenario file: start `bedrock-scenario serve` instead),
// env (false: leave process.env alone; the variables are still in mock.env).
async function startBedrockMock(options = {}) {
    const args = options.args || [];
    const clock = args.some((a) => a === '--clock' || a.startsWith('--clock=')) ? [] : ['--clock', 'virtual'];
    const { child, url } = options.scenario
        ? await internal.startScenarioProcess(scenarioBinary(options), options.scenario, 0)
        : await internal.startMockProcess(mockBinary(options), [...clock, ...args]);
    const mock = new BedrockMock(child, url, options);
    try {
        await internal.waitHealthy(child, url);
    } catch (err) {
        await mock.stop();
        throw err;
    }
    mock.scenario = options.scenario || null;
    mock._exportEnv();
    return mock;
}

// A BedrockMock for a mock started elsewhere (a global setup, another process): the same helpers,
// and process.env pointed at it unless options.env is false; stop() only restores process.env.
function connectBedrockMock(url, options = {}) {
    const mock = new BedrockMock(null, url.replace(/\/+$/, ''), options);
    mock._exportEnv();
    return mock;
}

module.exports = { startBedrockMock, connectBedrockMock, BedrockMock, BedrockMockError, formatJournal: internal.formatJournal,
    ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION };
