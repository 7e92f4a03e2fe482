#!/bin/sh
# make bench: run every build/bin/bench_* program and print one table.
# Shell benchmarks bench/bench_*.sh (which need more than one program, e.g. bench_scenarios.sh
# times bedrock-scenario) follow the same protocol and print in the same table.
# Protocol: each program prints rows "name<TAB>value<TAB>unit<TAB>baseline<TAB>ratio[<TAB>goal]" on
# stdout (baseline and ratio may be "-"; goal, the ratio docs/benchmarks.md asks for, may be absent). Ratios compare against a baseline measured in the same run,
# never against a fixed number, because machines differ.
set -eu
: "${BRK_BIN_DIR:?}"
BENCH_FIXTURE_DIR="${BENCH_FIXTURE_DIR:-$(dirname "$0")/fixtures}"
export BENCH_FIXTURE_DIR
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr)"
printf '%-50s %14s %-8s %14s %8s %8s\n' "benchmark" "value" "unit" "baseline" "ratio" "goal"
for b in "$BRK_BIN_DIR"/bench_* "$(dirname "$0")"/bench_*.sh; do
    case "$b" in
        *.sh) [ -f "$b" ] || continue; set -- sh "$b" ;;
        *) [ -x "$b" ] || continue; set -- "$b" ;;
    esac
    "$@" | while IFS="$(printf '\t')" read -r name value unit base ratio goal; do
        printf '%-50s %14s %-8s %14s %8s %8s\n' "$name" "$value" "$unit" "$base" "$ratio" "${goal:--}"
    done
done
