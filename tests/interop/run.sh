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
# `npm ci` only when the lock file changed since the last install (tests/node-ready.sh).
js_suite() {
    sh "$here/../node-ready.sh" "$here/js" interop/js
    case $? in 1) return 1 ;; 2) return 0 ;; esac
    # NODE_NO_WARNINGS: the SDK warns on every client that node 20 support ends in 2027.
    NODE_NO_WARNINGS=1 node "$here/js/run.mjs"
}
js_suite || status=1

exit $status
