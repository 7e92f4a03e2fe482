#!/bin/sh
# Run the interoperability suites: real AWS SDKs against a bedrock-mock binary.
# Each suite skips (with a message) when its SDK is not installed. Exit status is non-zero
# only when a suite ran and failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BRK_MOCK_BIN:?set BRK_MOCK_BIN to the bedrock-mock binary}"
status=0

# Both suites should cover the same cases; a difference is reported, not failed.
python3 "$here/parity.py" || echo "interop parity: WARNING: the suites differ (see docs/interop.md)"

if python3 -c 'import boto3, botocore; from botocore.loaders import Loader; Loader().load_service_model("bedrock-runtime", "service-2")' >/dev/null 2>&1; then
    python3 "$here/python/run_tests.py" || status=1
else
    echo "interop/python: SKIP: boto3 with bedrock-runtime is not importable (Debian's python3-boto3 is too old; pip install boto3)"
fi

# The JS suite: @aws-sdk/client-bedrock-runtime pinned by js/package-lock.json, installed with
# `npm ci` only when the lock file changed since the last install (a stamp in node_modules).
js_suite() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "interop/js: SKIP: node and npm not found (make deps installs Debian's nodejs and npm)"
        return 0
    fi
    if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
        echo "interop/js: SKIP: node $(node --version) is too old; the pinned AWS SDK for JavaScript needs node >= 20"
        return 0
    fi
    lock_sum=$(sha256sum "$here/js/package-lock.json" | cut -d' ' -f1)
    stamp="$here/js/node_modules/.bedrock-harness-lock"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
        echo "interop/js: npm ci (package-lock.json changed or first run)"
        if ! (cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error); then
            # Offline machines skip; CI, which reaches the registry, fails.
            if [ -n "${CI:-}" ]; then
                echo "interop/js: FAIL: npm ci failed"
                return 1
            fi
            echo "interop/js: SKIP: npm ci failed (is the npm registry reachable?)"
            return 0
        fi
        echo "$lock_sum" >"$stamp"
    fi
    # NODE_NO_WARNINGS: the SDK warns on every client that node 20 support ends in 2027.
    NODE_NO_WARNINGS=1 node "$here/js/run.mjs"
}
js_suite || status=1

exit $status
