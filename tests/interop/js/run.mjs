// Run every *.test.mjs file of this folder with node's built-in test runner (TAP on stdout),
// then print the plain closing line CI reads: "interop/js: N passed, N failed".
//
//   node run.mjs                      every case
//   node run.mjs converse.test.mjs    one file
//   BRK_INTEROP_ONLY=converse_basic node run.mjs   one case by name (a regular expression)
import { run } from 'node:test';
import { tap } from 'node:test/reporters';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = process.argv.length > 2 ? process.argv.slice(2)
    : readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort();
const files = names.map((f) => join(here, f.replace(/^.*\//, '')));
const only = process.env.BRK_INTEROP_ONLY;

let passed = 0;
let failed = 0;
let skipped = 0;
let todo = 0;
const stream = run({ files, concurrency: 1, ...(only ? { testNamePatterns: [only] } : {}) });
// Count the cases (top-level tests, as the boto3 runner does), not their subtests.
stream.on('test:pass', (ev) => {
    if (ev.nesting !== 0 || ev.details?.type === 'suite' || ev.file === undefined || ev.name === ev.file) {
        return;
    }
    if (ev.todo) {
        todo += 1;
    } else if (ev.skip) {
        skipped += 1;
    } else {
        passed += 1;
    }
});
stream.on('test:fail', (ev) => {
    if (ev.nesting !== 0 || ev.details?.type === 'suite') {
        return;
    }
    // A todo case is a known gap: reported, never a failure of the suite.
    if (ev.todo) {
        todo += 1;
    } else {
        failed += 1;
    }
});
for await (const chunk of stream.compose(tap)) {
    process.stdout.write(chunk);
}
// Known gaps (todo) count as skipped in the closing line, which allows only passed/failed/skipped.
const notRun = skipped + todo;
console.log(`interop/js: ${passed} passed, ${failed} failed` + (notRun ? `, ${notRun} skipped` : ''));
process.exitCode = failed || passed === 0 ? 1 : 0;
