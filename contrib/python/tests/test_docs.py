"""docs/python.md's examples, run as written: every ```python block that starts with
`# file: NAME` becomes that file in a fresh folder, and pytest runs there with the plugin."""
import importlib.util
import re
from pathlib import Path

import pytest

from conftest import INNER_ARGS

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "python.md"
# The guide's files and the tests each holds (a renamed or dropped example fails this test).
EXPECTED = {"app.py": 0, "test_app.py": 2, "test_helpers.py": 2, "test_agent.py": 2, "conftest.py": 0}


def guide_files():
    text = GUIDE.read_text(encoding="utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r"^# file: (\S+)\n.*?(?=^```)", text, re.S | re.M)}


@pytest.mark.skipif(not GUIDE.exists(), reason="docs/python.md is not next to this checkout")
def test_the_guides_examples_pass_as_written(pytester):
    pytest.importorskip("boto3")
    files = guide_files()
    assert set(files) == set(EXPECTED)
    if importlib.util.find_spec("pydantic_ai") is None:  # not installable here (no PyPI): shown, not run
        del files["test_agent.py"]
    for name, body in files.items():
        (pytester.path / name).write_text(body, encoding="utf-8")
    result = pytester.runpytest(*INNER_ARGS, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=sum(EXPECTED[name] for name in files))
