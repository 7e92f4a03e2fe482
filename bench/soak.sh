#!/bin/sh
# make soak (and the end of make bench): wrk drives one bedrock-mock on loopback with 64
# connections for SOAK_SECONDS (default 30) of mixed traffic (bench/soak.lua), then checks:
# zero unexpected answers, zero socket errors, the mock's own request counter, resident memory
# at start and end (bounded by SOAK_MAX_RSS_MIB, default 256), and no file descriptors left open.
# Beside wrk, bench/hostile_clients.py runs one misbehaving client of each kind of issue 22
# (half prefaces, slowloris, unfinished HTTP/2 uploads, a zero-window HTTP/2 reader, a
# backtracking rule regex, lying HTTP/1.1 framing; SOAK_HOSTILE=0 turns it off) against a mock
# with a 64 MiB memory budget: wrk's traffic must not notice, and every hostile request must
# get its documented answer.
# Bounded in time: wrk runs under `timeout`, the mock is stopped on exit. Exit status 1 on failure.
set -eu
: "${BRK_MOCK_BIN:?set BRK_MOCK_BIN to the bedrock-mock binary}"
seconds=${SOAK_SECONDS:-30}
conns=${SOAK_CONNECTIONS:-64}
max_rss=${SOAK_MAX_RSS_MIB:-256}
hostile=${SOAK_HOSTILE:-1}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$BRK_MOCK_BIN" --host 127.0.0.1 --port 0 --port-file "$tmp/port" --log-level error \
    --memory-budget-bytes 67108864 --quota rpm=60,model=anthropic.claude-3-5-haiku-20241022-v1:0 >/dev/null &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port")
base="http://127.0.0.1:$port"

rss() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }
curl -s -o /dev/null "$base/_mock/health"
# The rule whose counter is checked afterwards: every request for this model fails with a 503.
curl -s -o /dev/null -X POST -d '{"id":"soak-unavailable","match":{"modelId":"mistral.mistral-7b-instruct-v0:2"},"error":"ServiceUnavailableException"}' \
    "$base/_mock/rules"
rss0=$(rss)
fds0=$(fds)
hpid=""
if [ "$hostile" = 1 ]; then
    timeout $((seconds + 60)) python3 "$here/hostile_clients.py" "$port" "$seconds" >"$tmp/hostile.out" 2>&1 &
    hpid=$!
fi

timeout $((seconds + 30)) wrk -t2 -c"$conns" -d"${seconds}s" --timeout 5s -s "$here/soak.lua" "$base" >"$tmp/wrk.out" 2>&1 || {
    echo "soak: wrk failed"; cat "$tmp/wrk.out"; exit 1; }

[ -z "$hpid" ] || wait "$hpid" || { echo "soak: hostile clients failed"; cat "$tmp/hostile.out"; exit 1; }
hostile_journaled=$(sed -n 's/^hostile-journaled\t//p' "$tmp/hostile.out" 2>/dev/null)
hostile_unexpected=$(sed -n 's/^hostile-unexpected\t//p' "$tmp/hostile.out" 2>/dev/null)

# Connections close asynchronously: give the server up to 10 s to release every descriptor.
i=0
while [ "$(fds)" -gt "$fds0" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
rss1=$(rss)
fds1=$(fds)
health=$(curl -s "$base/_mock/health")
served=$(printf '%s' "$health" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p')

echo "soak: $conns connections, ${seconds}s, mixed traffic (bench/soak.lua), $(grep -m1 'requests in' "$tmp/wrk.out" | sed 's/^ *//')"
printf '  %-34s %12s\n' "answer class" "count"
grep '^soak-class' "$tmp/wrk.out" | sort | while IFS="$(printf '\t')" read -r _ class n; do
    printf '  %-34s %12s\n' "$class" "$n"; done
printf '  %-34s %12s\n' "request kind" "sent"
grep '^soak-sent' "$tmp/wrk.out" | sort | while IFS="$(printf '\t')" read -r _ kind n; do
    printf '  %-34s %12s\n' "$kind" "$n"; done
unexpected=$(sed -n 's/^soak-unexpected\t//p' "$tmp/wrk.out")
errors=$(sed -n 's/^soak-errors\t//p' "$tmp/wrk.out")
answered=$(grep '^soak-class' "$tmp/wrk.out" | grep -v 'admin_ok' | awk -F'\t' '{ s += $3 } END { print s + 0 }')
answered=$((answered + ${hostile_journaled:-0})) # the hostile clients' requests the journal counts
echo "  latency: $(sed -n 's/^soak-latency-us\t//p' "$tmp/wrk.out") (microseconds)"
echo "  unexpected answers: $unexpected"
echo "  socket errors: $errors"
echo "  mock request counter: $served (service requests wrk saw answered: $answered; up to $conns more were in flight at the end)"
fired=$(curl -s "$base/_mock/rules/soak-unavailable" | sed -n 's/.*"fired":\([0-9]*\).*/\1/p')
rule_answers=$(sed -n 's/^soak-class\trule_unavailable\t//p' "$tmp/wrk.out")
throttled=$(sed -n 's/^soak-class\tthrottled\t//p' "$tmp/wrk.out")
echo "  rule soak-unavailable fired: ${fired:-?} (503 answers wrk saw: ${rule_answers:-0})"
echo "  quota (60 requests a minute on the quota model): ${throttled:-0} throttled; buckets: $(curl -s "$base/_mock/quotas" | sed -n 's/.*"buckets":\(.*\)}$/\1/p' | cut -c1-300)"
if [ -n "$hpid" ]; then
    echo "  hostile clients beside the load (bench/hostile_clients.py):"
    grep '^hostile-sent' "$tmp/hostile.out" | while IFS="$(printf '\t')" read -r _ kind n; do
        printf '    %-32s %12s\n' "$kind" "$n"; done
    echo "    unexpected answers to them: ${hostile_unexpected:-?}"
fi
echo "  resident memory: start ${rss0} MiB, end ${rss1} MiB (limit ${max_rss} MiB)"
echo "  open descriptors: start $fds0, end $fds1"

fail=0
[ "$unexpected" = 0 ] || { echo "soak: FAIL: $unexpected unexpected answers"; fail=1; }
[ -z "$hpid" ] || [ "$hostile_unexpected" = 0 ] || { echo "soak: FAIL: hostile clients got ${hostile_unexpected:-no} unexpected answers"; fail=1; }
case "$errors" in "connect=0 read=0 write=0 timeout=0 "*) ;; *) echo "soak: FAIL: socket errors: $errors"; fail=1 ;; esac
[ "$fds1" -le "$fds0" ] || { echo "soak: FAIL: $((fds1 - fds0)) descriptors left open"; fail=1; }
awk -v r="$rss1" -v m="$max_rss" 'BEGIN { exit !(r <= m) }' || { echo "soak: FAIL: resident memory ${rss1} MiB"; fail=1; }
[ -n "$served" ] && [ "$served" -ge "$answered" ] && [ "$served" -le $((answered + conns)) ] \
    || { echo "soak: FAIL: the mock counted $served requests, wrk saw $answered answered"; fail=1; }
[ -n "$fired" ] && [ "$fired" -ge "${rule_answers:-0}" ] && [ "$fired" -le $(( ${rule_answers:-0} + conns )) ] \
    || { echo "soak: FAIL: rule fired $fired times, wrk saw ${rule_answers:-0} of its answers"; fail=1; }
[ "${throttled:-0}" -gt 0 ] || { echo "soak: FAIL: the quota model was never throttled"; fail=1; }
[ $fail = 0 ] && echo "soak: ok"
exit $fail
