#!/bin/sh
# check-headers: every header compiles on its own, and the public ones are ready to install.
#
#   CC=cc CFLAGS='...' CXX=g++ CXXFLAGS='...' sh scripts/check-headers.sh [ROOT]
#
# - each public header (include/bedrock/*.h) compiles alone as C, and as C++ (a C++ program can
#   include it), and carries `extern "C"` guards, so a C++ caller links against the C names;
# - each of its function declarations carries BRK_API (include/bedrock/export.h): a declaration
#   without it would be hidden in a shared libbedrock;
# - each private header (common/, mock/, client/) compiles alone as C: it includes what it uses.
# ROOT (default: the current directory) is the tree to check; the flags name its folders
# relative to it (-Iinclude -I.). Prints every failure, then exits 1 if there was any.
set -u
cd "${1:-.}"
: "${CC:=cc}" "${CXX:=g++}" "${CFLAGS:=}" "${CXXFLAGS:=}"
fail=0

compile() { # compile <header> <compiler> <language> <flags>
    # shellcheck disable=SC2086
    printf '#include "%s"\n' "$1" | $2 $4 -x "$3" -fsyntax-only - || {
        echo "check-headers: $1 does not compile alone as $3" >&2
        fail=1
    }
}

for h in include/bedrock/*.h; do
    compile "$h" "$CC" c "$CFLAGS"
    compile "$h" "$CXX" c++ "$CXXFLAGS"
    # export.h defines one macro and declares nothing.
    [ "$h" = include/bedrock/export.h ] || grep -q 'extern "C"' "$h" || {
        echo "check-headers: $h has no extern \"C\" guard" >&2
        fail=1
    }
    # A declaration starts in column 0 and names a brk_ function: `enum brk_status brk_x(...`.
    if grep -nE '^[A-Za-z_].*\<brk_[a-z0-9_]+\(' "$h" | grep -vE '^[0-9]+:(BRK_API |typedef |#)'; then
        echo "check-headers: $h: the declarations above lack BRK_API" >&2
        fail=1
    fi
done

for h in common/*.h mock/*.h mock/*/*.h client/*.h; do
    [ -f "$h" ] || continue
    compile "$h" "$CC" c "$CFLAGS"
done

exit $fail
