#!/bin/sh
# The bundled library (scenarios/) beyond `make run-scenarios`: every file validates against the
# JSON Schema editors use (scenarios/schema.json, checked with python3's jsonschema; skipped when
# it is absent: the runner's own loader, stricter, runs in run-scenarios), and each exec example
# passes with its companion script (scenarios/exec/NAME.sh with sh when curl is there,
# NAME.py with python3 when boto3 imports). Run by `make test`.
#   BRK_SCENARIO_BIN=build/bin/bedrock-scenario sh tests/scenario-examples-test.sh
set -u
name=scenario-examples-test
. "$(dirname "$0")/support/scenario-case.sh"

if python3 -c 'import jsonschema' > /dev/null 2>&1; then
    cases=$((cases + 1))
    python3 - "$here/scenarios" > "$tmp/out" 2>&1 <<'PY' || fail "a library file breaks scenarios/schema.json"
import json, pathlib, sys
import jsonschema
root = pathlib.Path(sys.argv[1])
validator = jsonschema.Draft202012Validator(json.loads((root / "schema.json").read_text()))
bad = 0
for path in sorted(root.rglob("*.json")):
    if path.name == "schema.json":
        continue
    for err in validator.iter_errors(json.loads(path.read_text())):
        bad += 1
        print("%s: %s: %s" % (path.relative_to(root), "/".join(map(str, err.absolute_path)), err.message))
sys.exit(1 if bad else 0)
PY
else
    echo "scenario-examples-test: schema check skipped, no python3 jsonschema"
fi

for json in "$here"/scenarios/exec/*.json; do
    base=${json%.json}
    if [ -f "$base.sh" ]; then
        command -v curl > /dev/null 2>&1 || { echo "scenario-examples-test: $(basename "$json") skipped, no curl"; continue; }
        set -- sh "$base.sh"
    elif [ -f "$base.py" ]; then
        python3 -c 'import boto3' > /dev/null 2>&1 || { echo "scenario-examples-test: $(basename "$json") skipped, no boto3"; continue; }
        set -- python3 "$base.py"
    else
        continue
    fi
    cases=$((cases + 1))
    "$bin" exec "$json" -- "$@" > "$tmp/out" 2>&1 || fail "$(basename "$json") with $*: exit status $?"
done

finish
