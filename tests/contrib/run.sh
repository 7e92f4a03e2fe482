#!/bin/sh
# The contrib helpers' own tests, against $BEDROCK_MOCK_BIN: the pytest plugin (contrib/python)
# with boto3, and the Node helper (contrib/node) with the AWS SDK for JavaScript under node:test.
# Each skips with a message when its runtime is missing; the exit status is non-zero only when a
# suite ran and failed. bedrock-scenario next to the mock, when built, runs the scenario cases.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${BEDROCK_MOCK_BIN:?set BEDROCK_MOCK_BIN to the bedrock-mock binary}"
export BEDROCK_MOCK_BIN
status=0

# Install the plugin into $1 as users do (`pip install ./contrib/python`), but offline: no build
# isolation (it would fetch setuptools from PyPI), from a copy (pip builds in the source folder),
# with Debian's python3-wheel lent when this python3 has no `wheel` (setuptools needs it).
pip_install() {
    mkdir -p "$1/wheel-only" && cp -R "$root/contrib/python" "$1/src" && rm -rf "$1/src/tests"
    if ! python3 -c 'import wheel' >/dev/null 2>&1; then
        for f in /usr/lib/python3/dist-packages/wheel /usr/lib/python3/dist-packages/wheel-*; do
            [ -e "$f" ] && ln -s "$f" "$1/wheel-only/"
        done
    fi
    PYTHONPATH="$1/wheel-only" python3 -m pip install --quiet --disable-pip-version-check --no-build-isolation \
        --no-deps --no-index --target "$1/site" "$1/src" >"$1/pip.log" 2>&1
}

python_suite() {
    if ! command -v python3 >/dev/null 2>&1; then
        echo "contrib/python: SKIP: python3 not found"
        return 0
    fi
    if ! python3 "$here/pytest_main.py" --version >/dev/null 2>&1; then
        echo "contrib/python: SKIP: pytest is not importable (make test installs Debian's python3-pytest)"
        return 0
    fi
    tmp=$(mktemp -d)
    if pip_install "$tmp"; then
        path="$tmp/site" plugin=""  # loaded through its pytest11 entry point, as after a real install
    else
        echo "contrib/python: pip install ./contrib/python failed offline (below); testing the source folder"
        tail -5 "$tmp/pip.log"
        path="$root/contrib/python/src" plugin="-p pytest_bedrock_mock.plugin"
    fi
    # shellcheck disable=SC2086
    (cd "$root/contrib/python" && PYTHONPATH="$path:$root/contrib/python/tests" \
        python3 "$here/pytest_main.py" -p no:cacheprovider $plugin -q tests)
    rc=$?
    rm -rf "$tmp"
    return $rc
}

node_suite() {
    sh "$root/tests/node-ready.sh" "$root/contrib/node" contrib/node
    case $? in 1) return 1 ;; 2) return 0 ;; esac
    # NODE_NO_WARNINGS: the SDK warns on every client that node 20 support ends in 2027.
    (cd "$root/contrib/node" && NODE_NO_WARNINGS=1 node --test test/)
}

python_suite || status=1
node_suite || status=1
exit $status
