#!/bin/sh
# Tests of scripts/check-headers.sh: a temporary tree with the real include/bedrock/export.h and
# one more header; each rule gets a header that breaks it (the check must fail and name the
# header) and one that keeps it (the check must pass). Run by `make test`.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/tests/support/check-case.sh"
export CC="${CC:-cc}" CXX="${CXX:-g++}"
export CFLAGS='-std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Iinclude -I.'
export CXXFLAGS='-std=c++11 -Wall -Wextra -Werror -Iinclude -I.'

# expect pass|fail HEADER < TEXT
expect() {
    rm -rf "$tmp/tree" && mkdir -p "$tmp/tree/include/bedrock" "$tmp/tree/$(dirname "$2")"
    cp "$here/include/bedrock/export.h" "$tmp/tree/include/bedrock/"
    cat > "$tmp/tree/$2"
    run_case "$1" "$2" sh "$here/scripts/check-headers.sh" "$tmp/tree"
}

# public(GUARD, DECLARATION): a public header with or without extern "C" guards
public() {
    printf '#ifndef T_H\n#define T_H\n#include "bedrock/export.h"\n' > "$tmp/src"
    [ "$1" = guard ] && printf '#ifdef __cplusplus\nextern "C" {\n#endif\n' >> "$tmp/src"
    printf '%s\n' "$2" >> "$tmp/src"
    [ "$1" = guard ] && printf '#ifdef __cplusplus\n}\n#endif\n' >> "$tmp/src"
    printf '#endif\n' >> "$tmp/src"
}

public guard 'BRK_API int brk_t_get(void);' && expect pass include/bedrock/t.h < "$tmp/src"
public none 'BRK_API int brk_t_get(void);' && expect fail include/bedrock/t.h < "$tmp/src"
public guard 'int brk_t_get(void);' && expect fail include/bedrock/t.h < "$tmp/src"
# valid C that C++ refuses: a public header must compile as both
public guard 'BRK_API int brk_t_get(int class);' && expect fail include/bedrock/t.h < "$tmp/src"
# a private header must include what it uses
printf '#include <stddef.h>\nsize_t t_len(void);\n' > "$tmp/src" && expect pass common/t.h < "$tmp/src"
printf 'size_t t_len(void);\n' > "$tmp/src" && expect fail common/t.h < "$tmp/src"
printf 'size_t t_len(void);\n' > "$tmp/src" && expect fail mock/http/t.h < "$tmp/src"

finish
