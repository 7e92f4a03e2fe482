#!/bin/sh
# A deliberately broken copy of one scenario per area of the bundled library (scenarios/) must
# fail, with exit status 1 and a message naming the step, the expectation, the expected and the
# actual value. Each case copies a library file, changes one expectation with python3 (a
# statement over the parsed file `d`), runs bedrock-scenario on the copy and looks for that
# line. The unbroken files pass in `make run-scenarios`. Run by `make test`.
#   BRK_SCENARIO_BIN=build/bin/bedrock-scenario sh tests/scenario-broken-test.sh
set -u
name=scenario-broken-test
. "$(dirname "$0")/support/scenario-case.sh"

if ! command -v python3 > /dev/null 2>&1; then
    echo "scenario-broken-test: skipped, no python3"
    exit 0
fi

# broken FILE STATEMENT LINE [COMMAND...]: copy scenarios/FILE, apply the python3 STATEMENT to it,
# run it (`run`, or `exec ... -- COMMAND` when a command is given) and expect exit status 1 and
# LINE (fixed text) in the output.
broken() {
    file=$1 change=$2 line=$3
    shift 3
    cases=$((cases + 1))
    copy="$tmp/$(basename "$file")"
    if ! python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(d, open(sys.argv[3], "w"), ensure_ascii=False)' "$here/scenarios/$file" "$change" "$copy" > "$tmp/out" 2>&1; then
        fail "$file: the change did not apply: $change"
        return
    fi
    if [ $# -eq 0 ]; then
        "$bin" run "$copy" > "$tmp/out" 2>&1
    else
        "$bin" exec "$copy" -- "$@" > "$tmp/out" 2>&1
    fi
    rc=$?
    if [ "$rc" -ne 1 ]; then
        fail "$file: expected exit status 1, got $rc"
    elif ! grep -qF -- "$line" "$tmp/out"; then
        fail "$file: the report lacks: $line"
    fi
}

broken caching/reading-cache-usage.json \
    'd["steps"][1]["expect"]["usage"]["cacheWriteInputTokens"] = 7' \
    'steps[1] "read": expect.usage.cacheWriteInputTokens: expected 7, got 0'
broken retries/legacy-four-throttles.json \
    'd["steps"][0]["expect"]["attempts"] = 4' \
    'steps[0] "converse": expect.attempts: expected 4, got 5'
broken validation/max-tokens-too-large.json \
    'd["steps"][0]["expect"]["error"]["message"] = "The maximum tokens you requested exceed the model limit of 8192."' \
    'steps[0] "converse": expect.error.message: expected "The maximum tokens you requested exceed the model limit of 8192.", got "The maximum tokens you requested exceed the model limit of 4096. Try again with a maximum tokens value lower than 4096."'
broken streaming/chunk-size.json \
    'd["steps"][0]["expect"]["events"].remove("contentBlockDelta")' \
    'steps[0] "converse_stream": expect.events: expected ["messageStart","contentBlockDelta","contentBlockDelta","contentBlockStop","messageStop","metadata"], got ["messageStart","contentBlockDelta","contentBlockDelta","contentBlockDelta","contentBlockStop","messageStop","metadata"]'
broken auth/wrong-region-scope.json \
    'd["steps"][0]["expect"]["error"]["type"] = "UnrecognizedClientException"' \
    'steps[0] "converse": expect.error.type: expected "UnrecognizedClientException", got "InvalidSignatureException"'
broken count_tokens/hello-world.json \
    'd["steps"][0]["expect"]["input_tokens"] = 12' \
    'steps[0] "count_tokens": expect.input_tokens: expected 12, got 11'
if command -v curl > /dev/null 2>&1; then
    broken exec/curl-retry.json \
        'd["expect"]["journal"]["statuses"] = [429, 200]' \
        'expect.journal.statuses: expected [429,200], got [429,429,200]' \
        sh "$here/scenarios/exec/curl-retry.sh"
else
    echo "scenario-broken-test: exec case skipped, no curl"
fi

finish
