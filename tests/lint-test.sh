#!/bin/sh
# Tests of scripts/lint.sh: each check gets a temporary tree with one file that breaks it (lint
# must fail and name the file) and one that keeps it (lint must pass). Run by `make test` when
# clang-format is installed (`make lint` installs it).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 cases=0

# expect pass|fail FILE [PENDING] < TEXT: a tree with FILE holding TEXT, .clang-format and, when
# given, scripts/format-pending.txt listing PENDING; lint run on it alone.
expect() {
    cases=$((cases + 1))
    rm -rf "$tmp/tree" && mkdir -p "$tmp/tree/$(dirname "$2")" "$tmp/tree/scripts"
    cp "$here/.clang-format" "$tmp/tree/"
    cat > "$tmp/tree/$2"
    [ $# -lt 3 ] || printf '%s\n' "$3" > "$tmp/tree/scripts/format-pending.txt"
    if sh "$here/scripts/lint.sh" "$tmp/tree" > "$tmp/out" 2>&1; then got=pass; else got=fail; fi
    if [ "$got" = fail ] && ! grep -q "$2" "$tmp/out"; then got="fail without naming $2"; fi
    if [ "$got" != "$1" ]; then
        echo "lint-test: $2: expected $1, got $got" >&2
        sed 's/^/    /' "$tmp/out" >&2
        failures=$((failures + 1))
    fi
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
# banned functions: everywhere, and in library code only
printf '#include <stdio.h>\n\nvoid f(char *b);\n\nvoid f(char *b)\n{\n    gets(b);\n}\n' > "$tmp/src"
expect fail tests/b.c < "$tmp/src"
printf '/* never gets(b) */\nvoid f(char *b);\n\nvoid f(char *b)\n{\n    (void)b;\n}\n' > "$tmp/src"
expect pass tests/b.c < "$tmp/src"
printf 'const char *f(void);\n\nconst char *f(void)\n{\n    return "gets(b)";\n}\n' > "$tmp/src"
expect pass tests/b.c < "$tmp/src"
printf '#include <stdio.h>\n\nvoid f(char *b);\n\nvoid f(char *b)\n{\n    sprintf(b, "x");\n}\n' > "$tmp/src"
expect fail common/b.c < "$tmp/src"
printf '#include <stdio.h>\n\nvoid f(char *b);\n\nvoid f(char *b)\n{\n    sprintf(b, "x");\n}\n' > "$tmp/src"
expect pass tests/b.c < "$tmp/src"
printf '#include <stdio.h>\n\nvoid f(char *b);\n\nvoid f(char *b)\n{\n    snprintf(b, 2, "x");\n}\n' > "$tmp/src"
expect pass common/b.c < "$tmp/src"

echo "lint-test: $cases cases, $failures failed"
[ "$failures" -eq 0 ]
