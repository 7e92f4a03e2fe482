'use strict';
// The helper's internals: finding the binaries, starting and stopping a bedrock-mock or
// `bedrock-scenario serve` child on a free port, building rules, formatting the journal.
// Every child is tracked in `live`: one still running when the Node process exits is sent
// SIGTERM, so a forgotten stop() leaves no orphan. index.cjs is the public API.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

// How long a start, a stop or an admin call may take before it fails. Generous on purpose (the
// project's TH_DEADLINE_MS is the same): every wait ends as soon as its condition holds.
const DEADLINE_MS = 30000;
const ACCESS_KEY_ID = 'AKIDEXAMPLE';
const SECRET_ACCESS_KEY = 'bedrock-mock-secret';
const REGION = 'us-east-1';
// Variables that would send the SDK elsewhere or make it sign differently: removed while the mock runs.
const UNSET_VARS = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_BEARER_TOKEN_BEDROCK', 'AWS_ENDPOINT_URL',
    'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];
// The one line `bedrock-scenario serve` prints once it serves (docs/scenarios.md).
const URL_LINE_PREFIX = 'BEDROCK_MOCK_URL=';

const live = new Set();
process.on('exit', () => {
    for (const child of live) {
        child.kill('SIGTERM');
    }
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function isExecutable(file) {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

// An explicit path, else $ENV_NAME, else build/bin/NAME in the cwd, this package's folder or a
// folder above them (a bedrock-harness checkout), else NAME on PATH; null when none is found.
function findBinary(name, explicit, envName) {
    if (explicit || process.env[envName]) {
        return explicit || process.env[envName];
    }
    for (let dir of [process.cwd(), __dirname]) {
        for (;;) {
            const candidate = path.join(dir, 'build', 'bin', name);
            if (isExecutable(candidate)) {
                return candidate;
            }
            if (path.dirname(dir) === dir) {
                break;
            }
            dir = path.dirname(dir);
        }
    }
    const onPath = (process.env.PATH || '').split(path.delimiter).map((d) => path.join(d, name));
    return onPath.find(isExecutable) || null;
}

// A child process whose stderr is kept (the last 4 KiB) for the error of a failed start.
class Child {
    constructor(argv, stdout) {
        this.argv = argv;
        this.stderr = '';
        this.proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', stdout, 'pipe'] });
        this.exited = new Promise((resolve) => this.proc.once('close', resolve));
        this.spawnError = null;
        this.proc.once('error', (err) => { this.spawnError = err; });
        this.proc.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-4096); });
        // A forgotten stop() must not keep the test runner alive (nor its pipes)...
        this.proc.unref();
        for (const pipe of [this.proc.stdout, this.proc.stderr]) {
            if (pipe) {
                pipe.unref();
            }
        }
        live.add(this.proc); // ...and the exit hook above still ends the process
    }

    get running() {
        return this.proc.exitCode === null && this.proc.signalCode === null && !this.spawnError;
    }

    async checkAlive(deadline, what) {
        if (this.spawnError) {
            throw new Error(`cannot run ${this.argv[0]}: ${this.spawnError.message}`);
        }
        if (!this.running || Date.now() > deadline) {
            const why = this.running ? `no ${what} after ${DEADLINE_MS / 1000} s` : `exited with status ${this.proc.exitCode}`;
            await this.stop();
            throw new Error(`${this.argv.join(' ')}: ${why}${this.stderr ? '\n' + this.stderr : ''}`);
        }
    }

    async stop() {
        if (this.running) {
            this.proc.kill('SIGTERM');
            const timer = setTimeout(() => this.proc.kill('SIGKILL'), DEADLINE_MS);
            await this.exited;
            clearTimeout(timer);
        }
        live.delete(this.proc);
    }
}

async function startMockProcess(bin, args) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bedrock-mock-'));
    const portFile = path.join(dir, 'port');
    const child = new Child([bin, '--port', '0', '--port-file', portFile, '--log-level', 'warn', ...args], 'ignore');
    const deadline = Date.now() + DEADLINE_MS;
    try {
        while (!fs.existsSync(portFile)) {
            await child.checkAlive(deadline, '--port-file');
            await sleep(10);
        }
        return { child, url: `http://127.0.0.1:${Number(fs.readFileSync(portFile, 'utf8'))}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function startScenarioProcess(bin, file, port) {
    const child = new Child([bin, 'serve', file, '--port', String(port)], 'pipe');
    const lines = readline.createInterface({ input: child.proc.stdout });
    let url = null;
    lines.on('line', (line) => {
        if (url === null && line.startsWith(URL_LINE_PREFIX)) {
            url = line.slice(URL_LINE_PREFIX.length).trim();
        }
    });
    const deadline = Date.now() + DEADLINE_MS;
    while (url === null) {
        await child.checkAlive(deadline, `${URL_LINE_PREFIX} line`);
        await sleep(10);
    }
    return { child, url };
}

async function waitHealthy(child, url) {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
        try {
            const resp = await fetch(url + '/_mock/health', { signal: AbortSignal.timeout(DEADLINE_MS) });
            if (resp.ok) {
                return resp.json();
            }
        } catch {
            // not listening yet
        }
        await child.checkAlive(deadline, 'answer from /_mock/health');
        await sleep(20);
    }
}

// The environment `bedrock-scenario exec` gives a command for the scenario's `client`
// (docs/scenarios.md, exec): region, SigV4 keys or an API key, retry mode and attempts.
function scenarioClientEnv(file) {
    const client = JSON.parse(fs.readFileSync(file, 'utf8')).client || {};
    const region = client.region || REGION;
    const env = { AWS_REGION: region, AWS_DEFAULT_REGION: region };
    const auth = client.auth || {};
    if (auth.access_key_id !== undefined) {
        env.AWS_ACCESS_KEY_ID = auth.access_key_id;
        env.AWS_SECRET_ACCESS_KEY = auth.secret_access_key || '';
        if (auth.session_token) {
            env.AWS_SESSION_TOKEN = auth.session_token;
        }
    }
    if (auth.api_key !== undefined) {
        env.AWS_BEARER_TOKEN_BEDROCK = auth.api_key;
    }
    const retry = client.retry || {};
    if (retry.mode !== undefined) {
        env.AWS_RETRY_MODE = retry.mode;
    }
    if (retry.max_attempts !== undefined) {
        env.AWS_MAX_ATTEMPTS = String(retry.max_attempts);
    }
    return env;
}

// One rule of docs/rules.md: the action, matchers from the options, then the modifiers; any
// other option (delayMs, retryAfter, headers, stream...) is copied into the rule as given.
function buildRule(action, options = {}) {
    const { id, operation, model, text, match, times, after, priority, probability, ...extra } = options;
    const rule = { ...action };
    const matchers = { ...(match || {}) };
    for (const [key, value] of [['operation', operation], ['modelId', model], ['text', text]]) {
        if (value !== undefined) {
            matchers[key] = value;
        }
    }
    if (Object.keys(matchers).length) {
        rule.match = matchers;
    }
    for (const [key, value] of Object.entries({ id, times, after, priority, probability })) {
        if (value !== undefined) {
            rule[key] = value;
        }
    }
    return Object.assign(rule, extra);
}

function cacheOutcomesOf(entry) {
    return ((entry.cache || {}).points || []).map((p) => p.outcome);
}

// How much of the last request's and response's bodies formatJournal shows.
const BODY_CHARS = 2000;

// One line per journal entry (what a failed test should print), then the bodies of the last
// request and its answer when the entries have them (journal({bodies: true})).
function formatJournal(entries) {
    if (!entries.length) {
        return '(no request reached the mock)';
    }
    const lines = entries.map((e) => {
        const parts = [`#${e.seq}`, e.operation, e.model_id || '-', String(e.status)];
        if (e.error_code) {
            parts.push(`${e.error_code}: ${e.error_message || ''}`.trim());
        }
        if (e.attempt) {
            parts.push(`attempt ${e.attempt}` + (e.max_attempts ? `/${e.max_attempts}` : ''));
        }
        if (e.invocation_id) {
            parts.push(`invocation ${e.invocation_id.slice(0, 8)}`);
        }
        for (const key of ['rule', 'rejected_by_stage']) {
            if (e[key]) {
                parts.push(`${key} ${e[key]}`);
            }
        }
        if (e.cache) {
            parts.push('cache ' + cacheOutcomesOf(e).join(','));
        }
        if (e.quota && e.quota.throttled) {
            parts.push(`quota ${e.quota.throttled}`);
        }
        return parts.join('  ');
    });
    const last = entries[entries.length - 1];
    for (const key of ['request_body', 'response_body']) { // on a mock whose journal keeps bodies
        if (last[key] !== undefined && last[key] !== null) {
            const text = JSON.stringify(last[key]);
            lines.push(`last ${key}: ${text.slice(0, BODY_CHARS)}${text.length > BODY_CHARS ? '…' : ''}`);
        }
    }
    return lines.join('\n');
}

module.exports = { DEADLINE_MS, ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION, UNSET_VARS, findBinary, startMockProcess,
    startScenarioProcess, waitHealthy, scenarioClientEnv, buildRule, cacheOutcomesOf, formatJournal };
