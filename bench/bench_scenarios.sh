#!/bin/sh
# bench_scenarios.sh: one `make bench` row (bench/run.sh's protocol: name, value, unit, baseline,
# ratio): the wall time of `bedrock-scenario run scenarios/`, the whole bundled library, against
# a baseline measured in the same run: `bedrock-scenario run` of as many trivial scenarios (one
# Converse call each, no rule, no expectation beyond the stop reason) as the library holds. The
# baseline is the floor any library of that size pays (a fresh embedded mock per scenario, one
# client, one call); the ratio says what the library's own steps cost on top. Each is the best of
# three runs, so a neighbour's burst on the shared cores does not decide the figure.
# The goal (issue 17): the library under 5 s on the 2-core development machine.
set -eu
: "${BRK_BIN_DIR:?}"
src=$(cd "$(dirname "$0")/.." && pwd)
bin="$BRK_BIN_DIR/bedrock-scenario"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

n=$("$bin" validate "$src/scenarios" | sed -n 's/^\([0-9][0-9]*\) scenarios* valid$/\1/p')
i=0
while [ "$i" -lt "$n" ]; do
    printf '{"name": "bench/trivial-%d", "steps": [{"converse": {"model": "anthropic.claude-3-haiku-20240307-v1:0", "user": "Hi"}, "expect": {"stop_reason": "end_turn"}}]}\n' \
        "$i" > "$tmp/trivial-$i.json"
    i=$((i + 1))
done

# best of three, in milliseconds; a failed run is a failed benchmark
best_ms() {
    best=
    for _ in 1 2 3; do
        t0=$(date +%s%N)
        "$bin" run "$@" > "$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
        t1=$(date +%s%N)
        ms=$(((t1 - t0) / 1000000))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    echo "$best"
}

lib=$(best_ms "$src/scenarios")
base=$(best_ms "$tmp")
ratio=$(awk -v a="$lib" -v b="$base" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
printf 'scenario library (%s scenarios), wall\t%s\tms\t%s\t%s\t-\n' "$n" "$lib" "$base" "$ratio"
