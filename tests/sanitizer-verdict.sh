#!/bin/sh
# make test SANITIZE=1: the sanitizers write each report to LOG_DIR/{asan,ubsan}.<pid>
# (ASAN_OPTIONS/UBSAN_OPTIONS log_path, set by the Makefile). A report from a process whose
# exit status nobody checks (a Criterion worker after its result, a mock under an SDK suite)
# would otherwise pass unseen: print every report and fail when there is any.
# Usage: tests/sanitizer-verdict.sh LOG_DIR
set -u
dir=$1
found=0
for f in "$dir"/*; do
    [ -f "$f" ] || continue
    found=$((found + 1))
    echo "---- sanitizer report: $f"
    cat "$f"
done
if [ "$found" -gt 0 ]; then
    echo "sanitizers: $found report(s) above: FAILED"
    exit 1
fi
echo "sanitizers: no reports"
