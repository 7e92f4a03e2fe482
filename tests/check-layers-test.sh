#!/bin/sh
# Tests of scripts/check-layers.sh: for each layer rule, a temporary tree with one file whose
# include crosses the layer (the check must fail and name the file) and one whose include is
# allowed (the check must pass); then the real tree must pass. Run by `make test`.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
check="$here/scripts/check-layers.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/tests/support/check-case.sh"

# expect pass|fail FILE INCLUDE: a tree holding FILE with `#include "INCLUDE"`, checked alone.
expect() {
    rm -rf "$tmp/tree" && mkdir -p "$tmp/tree/$(dirname "$2")"
    printf '#include <stdio.h>\n#include "%s"\n' "$3" > "$tmp/tree/$2"
    run_case "$1" "$2:2 " sh "$check" "$tmp/tree"
}

# common/ includes neither mock/ nor client/
expect fail common/json.c mock/mock_priv.h
expect fail common/json.c client/client.h
expect pass common/json.c common/json.h
expect pass common/json.c bedrock/buf.h
# client/ never includes mock/, mock/ never includes client/
expect fail client/converse.c mock/pipeline/request.h
expect pass client/converse.c common/json.h
expect fail mock/ops/converse.c client/client.h
expect pass mock/ops/converse.c mock/model/reply.h
# scenario/ uses the public API and common/ only, and nothing else includes scenario/
expect fail scenario/runner.c mock/mock_priv.h
expect fail scenario/runner.c client/client_priv.h
expect fail scenario/runner.c ../mock/admin/journal.h
expect pass scenario/runner.c bedrock/mock.h
expect pass scenario/runner.c common/json.h
expect pass scenario/runner.c scenario/scenario.h
expect pass scenario/runner.c scenario.h
expect fail mock/mock.c scenario/scenario.h
expect fail client/client.c scenario/scenario.h
# include/bedrock/ includes only include/bedrock/
expect fail include/bedrock/buf.h common/alloc.h
expect fail include/bedrock/buf.h mock/mock_priv.h
expect pass include/bedrock/buf.h bedrock/status.h
expect pass include/bedrock/buf.h status.h
# mock/http/ reaches the mock through mock/pipeline/*.h and mock/mock_priv.h only
expect fail mock/http/http1.c mock/rules/rules.h
expect fail mock/http/h2.c mock/admin/journal.h
expect fail mock/http/h2.c mock/pipeline/dispatch.c
expect pass mock/http/h2.c mock/pipeline/stages.h
expect pass mock/http/h2.c mock/mock_priv.h
expect pass mock/http/h2.c mock/http/wire.h
expect pass mock/http/h2.c wire.h
# the stages and the operations never include mock/http/
for layer in auth validate cache rules ops; do
    expect fail "mock/$layer/x.c" mock/http/wire.h
    expect pass "mock/$layer/x.c" mock/pipeline/request.h
done
expect fail mock/cache/x.c ../http/wire.h

# the real tree
run_case pass "the repository" sh "$check" "$here"
finish
