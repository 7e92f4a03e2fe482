#!/bin/sh
# lint: the project's C files are formatted by .clang-format, no function body is longer than
# 60 lines, and no banned function is called.
#
#   sh scripts/lint.sh [ROOT]                   (ROOT defaults to the current directory)
#   FORMAT_FILES='a.c b.h' sh scripts/lint.sh   check the formatting of these files only
#
# The project's C files are every *.c and *.h under common/ client/ mock/ include/ tests/ fuzz/
# bench/, except generated data (mock/validate/schema_data.c, written by scripts/gen_schema.py).
# Files listed in scripts/format-pending.txt (none today) skip the formatting check, for a file
# that must wait for a reformat; the other checks still run on them. Needs clang-format
# (`make lint` installs it). Prints one line per finding, then exits 1 if there was any.
set -u
cd "${1:-.}"
MAX_LINES=${LINT_MAX_FUNCTION_LINES:-60}
# Unsafe or unbounded (sprintf, strcat, gets), not reentrant (strtok, localtime, rand), or silent
# on bad input (atoi): none is called anywhere today.
BANNED='gets|vsprintf|strncpy|strtok|atoll|atof|alloca|rand|srand|random|drand48|tmpnam|tempnam|mktemp|asctime|ctime|gmtime|localtime|setjmp|longjmp|scanf|fscanf|bzero|bcopy|putenv'
# Also banned in the library and server code, where nothing calls them; tests, fuzz targets and
# benchmarks still do (snprintf, strtol and memcpy replace them in new code). system() runs a
# shell: a test may run a command line it wrote itself, the library and the server never.
BANNED_LIB='sprintf|strcat|strncat|atoi|atol|usleep|system'
fail=0

files=$(find common client mock include tests fuzz bench \( -name node_modules -prune \) -o \
        -name '*.[ch]' -print 2>/dev/null | grep -v '^mock/validate/schema_data\.c$' | sort)

# ---- formatting ----------------------------------------------------------------------------
pending=$(cat scripts/format-pending.txt 2>/dev/null | grep -v '^#' || true)
if [ -n "${FORMAT_FILES:-}" ]; then
    format_files=$FORMAT_FILES
else
    format_files=$files
    [ -z "$pending" ] || format_files=$(printf '%s\n' "$files" | grep -v -x -F "$pending" || true)
fi
if [ -n "$format_files" ]; then
    # shellcheck disable=SC2086
    clang-format --style=file --dry-run -Werror $format_files || {
        echo "lint: formatting differs from .clang-format (above); clang-format -i FILE fixes it" >&2
        fail=1
    }
fi
if [ -z "${FORMAT_FILES:-}" ] && [ -n "$pending" ]; then
    echo "lint: $(printf '%s\n' "$pending" | wc -l) files skip the formatting check (scripts/format-pending.txt)"
fi

# ---- function length -----------------------------------------------------------------------
# A function's body opens with "{" and closes with "}" alone in column 0 (.clang-format puts
# them there); its length is the lines between them.
# shellcheck disable=SC2086
awk -v max="$MAX_LINES" '
    FNR == 1 { start = 0 }
    /^[A-Za-z_]/ && /\(/ { sig = $0 }
    /^\{/ { start = FNR; name = sig }
    /^\}/ && start {
        if (FNR - start - 1 > max) {
            printf "lint: %s:%d: %s: body of %d lines (at most %d)\n", FILENAME, start, name, FNR - start - 1, max
            bad = 1
        }
        start = 0
    }
    END { exit bad }' $files || fail=1

# ---- banned functions ------------------------------------------------------------------------
# Comments and string literals are blanked first, so prose and messages may name them.
strip() {
    awk '{
        out = ""; i = 1; n = length($0)
        while (i <= n) {
            c = substr($0, i, 1); d = substr($0, i, 2)
            if (incomment) { if (d == "*/") { incomment = 0; i += 2 } else i++; continue }
            if (d == "/*") { incomment = 1; i += 2; continue }
            if (d == "//") break
            if (c == "\"" || c == "\047") {
                q = c; i++
                while (i <= n && substr($0, i, 1) != q) i += (substr($0, i, 1) == "\\") ? 2 : 1
                out = out q q; i++; continue
            }
            out = out c; i++
        }
        print FILENAME ":" FNR ": " out
    }' "$1"
}
for f in $files; do
    case $f in
    common/* | client/* | mock/* | include/*) banned="$BANNED|$BANNED_LIB" ;;
    *) banned=$BANNED ;;
    esac
    hits=$(strip "$f" | grep -E "^[^ ]+ .*[^A-Za-z0-9_.>]($banned)[[:space:]]*\\(" || true)
    if [ -n "$hits" ]; then
        printf '%s\n' "$hits" | sed 's/^/lint: banned function: /'
        fail=1
    fi
done

exit $fail
