"""Check that the boto3 and JS interop suites cover the same list of cases.

A case is a function `test_<name>(mock)` in python/test_*.py and a `test('<name>', ...)` in
js/*.test.mjs; the names must match. Cases that exist for one SDK only are listed below with
the reason. Prints the difference; exits 1 when there is one (run.sh reports it as a warning).
"""
import glob
import os
import re
import sys

# Cases that make sense for one SDK only, and why.
JS_ONLY = {
    "default_http2_client_reaches_the_mock": "the JS bedrock-runtime client defaults to HTTP/2; botocore has no HTTP/2",
    "http1_handler_reaches_the_mock": "NodeHttpHandler is a JS option; botocore always speaks HTTP/1.1",
}
PYTHON_ONLY = {
    "legacy_mode_makes_three_attempts": "legacy is botocore's default mode; the JS SDK has standard and adaptive only",
}


def names(pattern, regex):
    found = set()
    for path in glob.glob(pattern):
        with open(path, encoding="utf-8") as f:
            found.update(re.findall(regex, f.read(), re.MULTILINE))
    return found


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    py = names(os.path.join(here, "python", "test_*.py"), r"^def test_(\w+)\(mock")
    js = names(os.path.join(here, "js", "*.test.mjs"), r"^test\(\s*'(\w+)'")
    missing_js = sorted(py - js - set(PYTHON_ONLY))
    missing_py = sorted(js - py - set(JS_ONLY))
    for name in missing_js:
        print(f"interop parity: boto3 case '{name}' has no JS twin (tests/interop/js/*.test.mjs)")
    for name in missing_py:
        print(f"interop parity: JS case '{name}' has no boto3 twin (tests/interop/python/test_*.py)")
    if not missing_js and not missing_py:
        print(f"interop parity: both suites cover the same {len(py & js)} cases")
    return 1 if missing_js or missing_py else 0


if __name__ == "__main__":
    sys.exit(main())
