#!/bin/sh
# make install / make uninstall into a scratch DESTDIR: every file the README names lands under
# PREFIX, the README's C example builds with `pkg-config --cflags --libs bedrock` against the
# installed shared library and runs against a mock, and uninstall leaves nothing behind.
# Run by `make test` after the build (BRK_MAKE names the make to call back; BRK_EXAMPLE_CC the
# compiler for the example, sanitizer flags included). Not CC: the make called back would take it
# from the environment, see other compiler flags than the build's, and rebuild everything (and
# the next `make run` everything again).
set -eu
tmp=$(mktemp -d)
trap 'kill "$mock_pid" "$up_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
mock_pid=
up_pid=
prefix=/opt/bedrock
dest=$tmp/dest
fail() { echo "install-test: $*" >&2; exit 1; }

${BRK_MAKE:-make} --no-print-directory install DESTDIR="$dest" PREFIX="$prefix" >/dev/null
for f in include/bedrock/client.h include/bedrock/request.h lib/libbedrock.a lib/libbedrock.so.0 \
         lib/libbedrock.so lib/pkgconfig/bedrock.pc bin/bedrock-converse bin/bedrock-mock bin/bedrock-scenario; do
    [ -e "$dest$prefix/$f" ] || fail "missing $prefix/$f after install"
done
[ ! -e "$dest$prefix/include/bedrock/mock.h" ] || fail "mock.h is not part of libbedrock's API"

# pkg-config reads the installed bedrock.pc with its prefix moved under DESTDIR.
awk '/^\/\* example.c:/{on=1} on&&/^```/{exit} on{print}' README.md > "$tmp/example.c"
flags=$(PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig" pkg-config --define-variable=prefix="$dest$prefix" \
        --cflags --libs bedrock) || fail "pkg-config does not find bedrock.pc"
${BRK_EXAMPLE_CC:-cc} "$tmp/example.c" $flags -Wl,-rpath,"$dest$prefix/lib" -o "$tmp/example" || fail "the README example does not build"
ldd "$tmp/example" | grep -q "$dest$prefix/lib/libbedrock.so.0" || fail "the example is not linked to the installed libbedrock.so"

"$dest$prefix/bin/bedrock-mock" --port 0 --port-file "$tmp/port" >/dev/null 2>&1 &
mock_pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
    i=$((i + 1)); [ $i -lt 300 ] || fail "the installed bedrock-mock did not start in 30 s"; sleep 0.1
done
AWS_ENDPOINT_URL_BEDROCK_RUNTIME="http://127.0.0.1:$(cat "$tmp/port")" AWS_REGION=us-east-1 \
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret "$tmp/example" > "$tmp/out" || fail "the example failed"
grep -q "^Converse: This is a mock response" "$tmp/out" || fail "unexpected output: $(cat "$tmp/out")"

# bedrock-mock links no libcurl (start-up, docs/benchmarks.md); --record loads it at run time:
# a Converse recorded through the installed binary from a second one lands as a cassette.
! ldd "$dest$prefix/bin/bedrock-mock" | grep -q libcurl || fail "bedrock-mock links libcurl"
AWS_ACCESS_KEY_ID=AKIDRECORDER AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1 \
"$dest$prefix/bin/bedrock-mock" --port 0 --port-file "$tmp/rport" \
    --record "$tmp/cassettes" --upstream "http://127.0.0.1:$(cat "$tmp/port")" >/dev/null 2>"$tmp/rerr" &
up_pid=$!
i=0
while [ ! -s "$tmp/rport" ]; do
    i=$((i + 1)); [ $i -lt 300 ] || fail "bedrock-mock --record did not start: $(cat "$tmp/rerr")"; sleep 0.1
done
AWS_ENDPOINT_URL_BEDROCK_RUNTIME="http://127.0.0.1:$(cat "$tmp/rport")" AWS_REGION=us-east-1 \
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret "$tmp/example" > "$tmp/rout" || fail "the example failed through --record"
kill "$up_pid"
ls "$tmp/cassettes" | grep -q -- "-Converse.json$" || fail "--record wrote no Converse cassette: $(ls "$tmp/cassettes")"

${BRK_MAKE:-make} --no-print-directory uninstall DESTDIR="$dest" PREFIX="$prefix" >/dev/null
left=$(find "$dest" -type f -o -type l)
[ -z "$left" ] || fail "uninstall left: $left"
echo "install-test: install, pkg-config build, run and uninstall: ok"
