#!/bin/sh
# make fuzz-smoke: run every fuzz target for FUZZ_SECONDS from its seed corpus.
# libFuzzer replays the seeds first (a crash there fails at once), then mutates. New inputs go
# to a scratch directory, never into the checked-in corpus; a crash leaves its input in
# build/fuzz/artifacts/ and fails the run. Add it to fuzz/corpus/<target>/ with the fix.
set -eu
bin_dir=$1
corpus_dir=$2
seconds=${FUZZ_SECONDS:-15}
art="$bin_dir/../artifacts"
mkdir -p "$art"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for f in "$bin_dir"/fuzz_*; do
    [ -x "$f" ] || continue
    name=${f##*/fuzz_}
    mkdir -p "$scratch/$name"
    # The pipeline keeps state between inputs (journal, prompt cache), so libFuzzer's per-input
    # leak check would scan the heap after nearly every input; leaks are still reported by
    # LeakSanitizer when the run ends, and by the corpus replay under valgrind.
    leaks=1
    [ "$name" = request_pipeline ] && leaks=0
    printf 'fuzz-smoke: %-24s %ss ... ' "$name" "$seconds"
    if "$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=65536 -detect_leaks=$leaks \
        -artifact_prefix="$art/$name-" -print_final_stats=1 \
        "$scratch/$name" "$corpus_dir/$name" >"$scratch/$name.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$name.log")
        echo "ok ($runs runs)"
    else
        echo "FAILED"
        tail -n 40 "$scratch/$name.log"
        status=1
    fi
done
exit $status
