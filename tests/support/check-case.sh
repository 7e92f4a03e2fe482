# Sourced by the script tests (tests/check-layers-test.sh, tests/lint-test.sh), which set $tmp to
# a scratch folder first. run_case WANT NAME CMD...: run CMD, a check on a temporary tree, and
# count a failure when its outcome is not WANT (pass or fail), or when it fails without naming
# NAME. finish: print the count and return non-zero after any failure.
cases=0
failures=0

run_case() {
    want=$1 name=$2
    shift 2
    cases=$((cases + 1))
    if "$@" > "$tmp/out" 2>&1; then got=pass; else got=fail; fi
    if [ "$got" = fail ] && ! grep -q "$name" "$tmp/out"; then got="fail without naming $name"; fi
    if [ "$got" != "$want" ]; then
        echo "$(basename "$0"): $name: expected $want, got $got" >&2
        sed 's/^/    /' "$tmp/out" >&2
        failures=$((failures + 1))
    fi
}

finish() {
    echo "$(basename "$0"): $cases cases, $failures failed"
    [ "$failures" -eq 0 ]
}
