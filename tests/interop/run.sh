#!/bin/sh
# Run the interoperability suites: real AWS SDKs against a bedrock-mock binary.
# Each suite skips (with a message) when its SDK is not installed. Exit status is non-zero
# only when a suite ran and failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BRK_MOCK_BIN:?set BRK_MOCK_BIN to the bedrock-mock binary}"
status=0

if python3 -c 'import boto3, botocore; from botocore.loaders import Loader; Loader().load_service_model("bedrock-runtime", "service-2")' >/dev/null 2>&1; then
    python3 "$here/python/run_tests.py" || status=1
else
    echo "interop/python: SKIP: boto3 with bedrock-runtime is not importable (Debian's python3-boto3 is too old; pip install boto3)"
fi

exit $status
