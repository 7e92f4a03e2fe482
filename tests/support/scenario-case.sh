# Sourced by the scenario-library tests (tests/scenario-broken-test.sh,
# tests/scenario-examples-test.sh) after they set $name (the prefix of their messages). Sets
# $here (the source tree), $bin (bedrock-scenario: $BRK_SCENARIO_BIN, else the build's), $tmp (a
# scratch folder removed on exit) and the counters; `fail WHAT` reports a failed case with the
# last command's output ($tmp/out); `finish` prints the count and returns non-zero after a failure.
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${BRK_SCENARIO_BIN:-$here/build/bin/bedrock-scenario}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cases=0
failures=0

fail() {
    echo "$name: $1" >&2
    sed 's/^/    /' "$tmp/out" >&2
    failures=$((failures + 1))
}

finish() {
    echo "$name: $cases cases, $failures failed"
    [ "$failures" -eq 0 ]
}
