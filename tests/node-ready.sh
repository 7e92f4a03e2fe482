#!/bin/sh
# node-ready.sh DIR LABEL: is a node:test suite in DIR ready to run? Checks that node (>= 20, what
# the pinned AWS SDK for JavaScript needs) and npm are there, then runs `npm ci` in DIR (from its
# committed package-lock.json) only when the lock file changed since the last install (a stamp
# in DIR/node_modules). Exit 0: ready. 2: skip (no node or npm, an old node, or npm ci failed on
# a machine without the registry; a SKIP line says which). 1: npm ci failed under CI, which
# reaches the registry: a failure.
set -u
dir=$1
label=$2
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "$label: SKIP: node and npm not found (make deps installs Debian's nodejs and npm)"
    exit 2
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
    echo "$label: SKIP: node $(node --version) is too old; the pinned AWS SDK for JavaScript needs node >= 20"
    exit 2
fi
lock_sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
stamp="$dir/node_modules/.bedrock-harness-lock"
if [ "$(cat "$stamp" 2>/dev/null)" = "$lock_sum" ]; then
    exit 0
fi
echo "$label: npm ci (package-lock.json changed or first run)"
if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
    if [ -n "${CI:-}" ]; then
        echo "$label: FAIL: npm ci failed"
        exit 1
    fi
    echo "$label: SKIP: npm ci failed (is the npm registry reachable?)"
    exit 2
fi
echo "$lock_sum" >"$stamp"
