// docs/javascript.md's node:test examples, run as written: every ```js block that starts with
// `// file: NAME` becomes that file in a scratch folder inside this package (so that the SDK
// resolves from its node_modules and '@bedrock-harness/mock' resolves to this package by its own
// name), and `node --test` runs the *.test.mjs files there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const guide = join(pkg, '..', '..', 'docs', 'javascript.md');
// The guide's files and the tests each holds (a renamed or dropped example fails this test).
const EXPECTED = { 'app.mjs': 0, 'app.test.mjs': 2, 'helpers.test.mjs': 2 };

test('the guide examples pass as written', { skip: existsSync(guide) ? false : 'docs/javascript.md not found' }, async (t) => {
    const text = readFileSync(guide, 'utf8');
    const files = Object.fromEntries([...text.matchAll(/^\/\/ file: (\S+)\n[\s\S]*?(?=^```)/gm)].map((m) => [m[1], m[0]]));
    assert.deepEqual(Object.keys(files).sort(), Object.keys(EXPECTED).sort());
    const dir = mkdtempSync(join(pkg, '.docs-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const [name, body] of Object.entries(files)) {
        writeFileSync(join(dir, name), body);
    }
    const tests = Object.keys(files).filter((f) => f.endsWith('.test.mjs'));
    // Without NODE_TEST_CONTEXT, which makes a nested `node --test` report to its parent instead of stdout.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const { code, stdout } = await new Promise((resolve) => {
        execFile(process.execPath, ['--test', ...tests], { cwd: dir, env, timeout: 120000 }, (err, out, errOut) => {
            resolve({ code: err ? err.code : 0, stdout: out + errOut });
        });
    });
    const expected = tests.reduce((n, f) => n + EXPECTED[f], 0);
    assert.equal(code, 0, stdout);
    assert.match(stdout, new RegExp(`^# pass ${expected}$`, 'm'), stdout);
    assert.match(stdout, /^# fail 0$/m);
    assert.match(stdout, /^# \\#3 {2}Converse .* 200 {2}attempt 3\/3/m, 'the journal diagnostics');
});
