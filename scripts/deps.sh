#!/bin/sh
# Install the Debian/Ubuntu packages bedrock-harness needs to build and test.
# Runs apt-get directly as root, through sudo otherwise. Safe to run again: apt-get
# skips what is already installed.
set -eu

PACKAGES="build-essential pkg-config libmicrohttpd-dev libcurl4-openssl-dev libcjson-dev \
libssl-dev zlib1g-dev libcriterion-dev libnghttp2-dev libpcre2-dev libyaml-dev python3 curl \
python3-pytest python3-wheel"
# python3-pytest runs the pytest plugin's tests (contrib/python); python3-wheel lets them
# `pip install ./contrib/python` without PyPI (tests/contrib/run.sh).
# Optional tools ask for their own packages: `sh scripts/deps.sh clang libclang-rt-dev` (make fuzz),
# `valgrind` (make test-valgrind), `wrk` (make bench, make soak), `clang-format` (make lint).
if [ $# -gt 0 ]; then PACKAGES="$*"; fi

# Node.js runs the JS interop suite. Debian's nodejs and npm only when there is no node at all:
# a newer node (NodeSource's, for one) ships its own npm and conflicts with Debian's npm package.
if ! command -v node >/dev/null 2>&1; then
    PACKAGES="$PACKAGES nodejs npm"
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: apt-get not found. Install these (or your system's equivalents) by hand:" >&2
    echo "  $PACKAGES" >&2
    echo "  (Fedora: libmicrohttpd-devel libcurl-devel cjson-devel openssl-devel zlib-devel criterion-devel libnghttp2-devel pcre2-devel libyaml-devel;" >&2
    echo "   macOS/Homebrew: libmicrohttpd curl cjson openssl zlib criterion libnghttp2 pcre2 libyaml pkg-config)" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "deps.sh: not root and no sudo; run as root: apt-get install $PACKAGES" >&2
        exit 1
    fi
fi

echo "deps.sh: installing $PACKAGES"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
echo "deps.sh: done"
