#!/bin/sh
# make test-valgrind: run the Criterion binary (and every worker it starts: --trace-children)
# under valgrind memcheck with one log per process, then fail when any process reported an
# error. Criterion ignores a worker's exit status once its test has reported a result, so a leak
# found at the worker's exit would not fail the run: the logs are the verdict.
# Usage: tests/valgrind.sh LOG_DIR TEST_BIN [criterion options...]
set -u
log_dir=$1
shift
rm -rf "$log_dir"
mkdir -p "$log_dir"
here=$(cd "$(dirname "$0")" && pwd)
valgrind --trace-children=yes --suppressions="$here/valgrind.supp" --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --num-callers=30 \
    --log-file="$log_dir/vg.%p.log" "$@"
rc=$?
bad=$(grep -l 'ERROR SUMMARY: [1-9]' "$log_dir"/vg.*.log 2>/dev/null)
n=$(ls "$log_dir" | wc -l)
if [ -n "$bad" ]; then
    for f in $bad; do
        echo "=== $f"
        cat "$f"
    done
    echo "test-valgrind: FAILED: memcheck errors or leaks in $(echo "$bad" | wc -l) of $n processes (logs in $log_dir)"
    exit 1
fi
if [ $rc -ne 0 ]; then
    echo "test-valgrind: FAILED: the suite itself failed (exit $rc)"
    exit 1
fi
echo "test-valgrind: ok: no memcheck errors and no leaks in $n processes"
