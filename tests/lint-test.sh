#!/bin/sh
# Tests of scripts/lint.sh: each check gets a temporary tree with one file that breaks it (lint
# must fail and name the file) and one that keeps it (lint must pass). Run by `make test` when
# clang-format is installed (`make lint` installs it).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/tests/support/check-case.sh"

# expect pass|fail FILE [PENDING] < TEXT: a tree with FILE holding TEXT, .clang-format and, when
# given, scripts/format-pending.txt listing PENDING; lint run on it alone.
expect() {
    rm -rf "$tmp/tree" && mkdir -p "$tmp/tree/$(dirname "$2")" "$tmp/tree/scripts"
    cp "$here/.clang-format" "$tmp/tree/"
    cat > "$tmp/tree/$2"
    [ $# -lt 3 ] || printf '%s\n' "$3" > "$tmp/tree/scripts/format-pending.txt"
    run_case "$1" "$2" sh "$here/scripts/lint.sh" "$tmp/tree"
}

# body N: a function whose body has N lines
body() {
    printf 'int f(void);\n\nint f(void)\n{\n    int x = 0;\n'
    i=2
    while [ "$i" -lt "$1" ]; do printf '    x += %d;\n' "$i"; i=$((i + 1)); done
    printf '    return x;\n}\n'
}

# formatting
printf 'int f(int a);\n\nint f(int a)\n{\n    if (a) {\n        return 1;\n    }\n    return 0;\n}\n' > "$tmp/src"
expect pass common/fmt.c < "$tmp/src"
printf 'int f(int a);\n\nint f(int a) {\n  if (a)\n  {\n    return 1;\n  }\n  return 0;\n}\n' > "$tmp/src"
expect fail common/fmt.c < "$tmp/src"
printf 'int f(int a);\n\nint f(int a) {\n  return a;\n}\n' > "$tmp/src"
expect pass common/fmt.c common/fmt.c < "$tmp/src"
# function length
body 60 > "$tmp/src"
expect pass mock/long.c < "$tmp/src"
body 61 > "$tmp/src"
expect fail mock/long.c < "$tmp/src"
# banned functions: everywhere, and in library code only; comments and strings may name them
calls() { printf '#include <stdio.h>\n\nvoid f(char *b);\n\nvoid f(char *b)\n{\n    %s\n}\n' "$1" > "$tmp/src"; }
calls 'gets(b);' && expect fail tests/b.c < "$tmp/src"
calls '(void)b; /* never gets(b) */' && expect pass tests/b.c < "$tmp/src"
calls 'puts(b ? "gets(b)" : "");' && expect pass tests/b.c < "$tmp/src"
calls 'sprintf(b, "x");' && expect fail common/b.c < "$tmp/src"
calls 'sprintf(b, "x");' && expect pass tests/b.c < "$tmp/src"
calls 'snprintf(b, 2, "x");' && expect pass common/b.c < "$tmp/src"

finish
