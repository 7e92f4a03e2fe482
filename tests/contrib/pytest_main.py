"""Run pytest (arguments as for `pytest`) with the python3 that runs this file.

That python3 may not be Debian's own: on the project's machines it is a pyenv build that has
boto3 but no pytest, and PyPI is out of reach, so pytest comes from Debian's python3-pytest
(scripts/deps.sh). Its folder is appended to sys.path, after the interpreter's own packages, so
that it supplies pytest and its dependencies and shadows nothing the interpreter already has.
"""
import sys

DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages"

try:
    import pytest
except ImportError:
    sys.path.append(DEBIAN_PACKAGES)
    import pytest

sys.exit(pytest.main(sys.argv[1:]))
