#!/bin/sh
# check-layers: fail when an #include "..." crosses a layer the wrong way (docs/architecture.md).
#
#   sh scripts/check-layers.sh [ROOT]      (ROOT defaults to the current directory)
#
# Includes are written from the repository root ("common/json.h", "mock/http/wire.h") or, for
# the public API, as "bedrock/x.h" (include/bedrock/x.h); any other name ("wire.h", "../x.h") is
# relative to the including file's folder. The rules, each tested by tests/check-layers-test.sh:
#   common/           includes neither mock/ nor client/
#   client/           never includes mock/, and mock/ never includes client/
#   scenario/         (bedrock-scenario) includes neither mock/ nor client/: only the public API
#                     (include/bedrock/), common/ and itself; nothing else includes scenario/
#   include/bedrock/  includes only include/bedrock/ (it is installed alone)
#   mock/http/        reaches the rest of the mock only through mock/pipeline/*.h and
#                     mock/mock_priv.h (and its own files)
#   mock/auth, mock/validate, mock/cache, mock/rules (the stages) and mock/ops/ never
#                     include mock/http/: they see a request, not a transport
# Prints one line per violation, then exits 1 if there was any.
set -eu
cd "${1:-.}"

find common client mock scenario include/bedrock -name '*.[ch]' 2>/dev/null | sort | while read -r f; do
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed "s|^|$f:|" || true
done | awk -F: '
{
    file = $1; line = $2
    target = $0; sub(/^[^"]*"/, "", target); sub(/".*$/, "", target)
    if (target ~ /^bedrock\//) target = "include/" target
    else if (target !~ /^(common|mock|client|scenario|include)\//) {
        dir = file; sub(/\/[^\/]*$/, "", dir); target = dir "/" target
        while (sub(/\/\.\//, "/", target)) {}
        while (sub(/[^\/.][^\/]*\/\.\.\//, "", target)) {}
    }
    why = ""
    if (file ~ /^common\// && target ~ /^(mock|client)\//) why = "common/ includes neither mock/ nor client/"
    else if (file ~ /^client\// && target ~ /^mock\//) why = "client/ never includes mock/"
    else if (file ~ /^mock\// && target ~ /^client\//) why = "mock/ never includes client/"
    else if (file ~ /^scenario\// && target ~ /^(mock|client)\//)
        why = "scenario/ uses only the public API (include/bedrock/) and common/"
    else if (file ~ /^(common|mock|client|include)\// && target ~ /^scenario\//)
        why = "nothing outside scenario/ includes scenario/"
    else if (file ~ /^include\/bedrock\// && target !~ /^include\/bedrock\//)
        why = "include/bedrock/ includes only include/bedrock/"
    else if (file ~ /^mock\/http\// && target ~ /^mock\// &&
             target !~ /^mock\/(http\/[^\/]+|pipeline\/[^\/]+\.h|mock_priv\.h)$/)
        why = "mock/http/ reaches the mock only through mock/pipeline/*.h and mock/mock_priv.h"
    else if (file ~ /^mock\/(auth|validate|cache|rules|ops)\// && target ~ /^mock\/http\//)
        why = "stages and operations never include mock/http/"
    if (why != "") { printf "check-layers: %s:%s includes \"%s\": %s\n", file, line, target, why; bad = 1 }
}
END { exit bad }'
