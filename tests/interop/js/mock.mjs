// Start and stop a bedrock-mock process for the JS interop tests, and read its admin API.
//
// Each test gets its own mock (startMock(t)): a child process of $BRK_MOCK_BIN on a free port
// (--port 0 --port-file), stopped by the test's t.after hook, so no test sees another's journal,
// rules or cache.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export class MockServer {
    constructor(args = []) {
        this.args = args;
    }

    async start() {
        const bin = process.env.BRK_MOCK_BIN;
        if (!bin) {
            throw new Error('set BRK_MOCK_BIN to the bedrock-mock binary');
        }
        this.dir = mkdtempSync(join(tmpdir(), 'brk-interop-js-'));
        const portFile = join(this.dir, 'port');
        this.proc = spawn(bin, ['--port', '0', '--port-file', portFile, '--log-level', 'warn', ...this.args],
            { stdio: ['ignore', 'ignore', 'inherit'] });
        this.exited = new Promise((resolve) => this.proc.once('exit', resolve));
        // Generous: a loaded CI machine may take seconds to start a process; the loop ends as soon
        // as the port file appears.
        const deadline = Date.now() + 30000;
        while (!existsSync(portFile) || readFileSync(portFile, 'utf8').trim() === '') {
            if (Date.now() > deadline || this.proc.exitCode !== null) {
                throw new Error(`bedrock-mock did not start (args: ${this.args.join(' ')})`);
            }
            await sleep(10);
        }
        this.port = Number(readFileSync(portFile, 'utf8').trim());
        this.url = `http://127.0.0.1:${this.port}`;
        return this;
    }

    // One admin call; the answer is parsed JSON. A non-2xx answer throws with the body.
    async admin(method, path, body) {
        // A hung mock fails the test after the common 30 s deadline instead of hanging the suite.
        const init = { method, signal: AbortSignal.timeout(30000) };
        if (body !== undefined) {
            init.body = JSON.stringify(body);
            init.headers = { 'content-type': 'application/json' };
        }
        const resp = await fetch(this.url + path, init);
        const text = await resp.text();
        if (!resp.ok) {
            throw new Error(`${method} ${path}: ${resp.status} ${text}`);
        }
        return text ? JSON.parse(text) : {};
    }

    // The journal, oldest first, with the filters GET /_mock/requests knows (operation, model, ...).
    async requests(filters = {}) {
        const query = new URLSearchParams(filters).toString();
        const answer = await this.admin('GET', '/_mock/requests' + (query ? '?' + query : ''));
        return answer.requests;
    }

    // Add one rule (POST /_mock/rules) and return the mock's answer.
    async rule(rule) {
        return this.admin('POST', '/_mock/rules', rule);
    }

    async stop() {
        if (this.proc && this.proc.exitCode === null) {
            this.proc.kill('SIGTERM');
            await this.exited;
        }
        if (this.dir) {
            rmSync(this.dir, { recursive: true, force: true });
        }
    }
}

// A started mock that the test `t` stops when it ends.
export async function startMock(t, args = []) {
    const mock = new MockServer(args);
    t.after(() => mock.stop());
    return mock.start();
}
