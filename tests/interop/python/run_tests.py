"""boto3 against bedrock-mock: a tiny runner so the suite needs nothing beyond boto3.

Every function named test_* in the test_*.py files of this folder is a test; it receives a
fresh MockServer. Prints one line per test and a closing 'N passed, N failed' line.
BRK_INTEROP_ONLY=<regex> runs only the matching cases (docs/interop.md).
"""
import importlib.util
import inspect
import os
import re
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mockproc import MockServer  # noqa: E402


def load_tests():
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.startswith("test_") and name.endswith(".py"):
            spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(here, name))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for fname, fn in inspect.getmembers(module, inspect.isfunction):
                if fname.startswith("test_"):
                    yield f"{name[:-3]}.{fname}", fn, getattr(module, "MOCK_ARGS", {}).get(fname, [])


def main():
    passed = failed = 0
    # BRK_INTEROP_ONLY: run only the cases whose "file.function" name matches this regular expression.
    only = re.compile(os.environ.get("BRK_INTEROP_ONLY", ""))
    for name, fn, args in load_tests():
        if not only.search(name):
            continue
        mock = MockServer(*args)
        try:
            fn(mock)
            passed += 1
            print(f"ok   {name}")
        except Exception:
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()
        finally:
            mock.stop()
    print(f"interop/python: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
