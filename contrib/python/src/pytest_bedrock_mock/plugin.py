"""The pytest plugin: the `bedrock_mock` fixture, the `bedrock_scenario` marker, the options,
and the journal in the report of a failed test.

A test that asks for `bedrock_mock` gets a BedrockMock on a free port, with the endpoint, dummy
credentials and the region exported for that test only (a MonkeyPatch, undone afterwards). The
mock is stopped when the test ends, passed or failed. With `bedrock_mock_scope = session` one
process serves the whole run and is reset before each test. Guide: docs/python.md.
"""
import os
import shlex
import shutil
from pathlib import Path

import pytest

from .mock import UNSET_VARS, BedrockMock, format_journal

MOCK_NAME = "bedrock-mock"
SCENARIO_NAME = "bedrock-scenario"
MARKER = "bedrock_scenario"


def pytest_addoption(parser):
    group = parser.getgroup("bedrock-mock", "bedrock-mock (local Amazon Bedrock Runtime)")
    options = (  # (flag suffix, ini name and dest, metavar, help)
        ("bin", "bedrock_mock_bin", "PATH", "path of bedrock-mock (else $BEDROCK_MOCK_BIN, the ini value, a checkout's "
         "build/bin, then PATH)"),
        ("scenario-bin", "bedrock_scenario_bin", "PATH", "path of bedrock-scenario (else $BEDROCK_SCENARIO_BIN, the ini "
         "value, next to bedrock-mock, then PATH)"),
        ("args", "bedrock_mock_args", "ARGS", "extra bedrock-mock options, shell-quoted (the fixture adds --clock virtual "
         "unless they name a --clock)"),
        ("scope", "bedrock_mock_scope", "SCOPE", "function (default: a mock per test) or session (one mock for the run, "
         "reset before each test)"),
        ("scenario", "bedrock_scenario", "FILE", "run every test that uses bedrock_mock against this scenario file"),
    )
    for flag, ini, metavar, help_text in options:
        group.addoption(f"--bedrock-mock-{flag}" if flag != "scenario" else "--bedrock-scenario", dest=ini,
                        metavar=metavar, default=None, help=help_text)
        parser.addini(ini, help_text)


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}(path): start this test's bedrock_mock from a scenario file "
                            "(bedrock-scenario serve) and check its expectations after the test")


def _setting(config, name, env=None):
    """A command-line option, else an environment variable, else the ini value; None when unset."""
    return config.getoption(name) or (os.environ.get(env) if env else None) or config.getini(name) or None


def _checkout_build(config, name):
    """build/bin/NAME in the rootdir or a folder above it, or above this file (a source checkout)."""
    for base in (Path(str(config.rootpath)), Path(__file__).resolve().parent):
        for folder in (base, *base.parents):
            candidate = folder / "build" / "bin" / name
            if candidate.is_file() and os.access(str(candidate), os.X_OK):
                return str(candidate)
    return None


def find_mock_bin(config):
    found = _setting(config, "bedrock_mock_bin", "BEDROCK_MOCK_BIN")
    found = found or _checkout_build(config, MOCK_NAME) or shutil.which(MOCK_NAME)
    if not found:
        raise pytest.UsageError(f"{MOCK_NAME} not found: build it (make) or install it, or pass --bedrock-mock-bin, "
                                "BEDROCK_MOCK_BIN or the bedrock_mock_bin ini option")
    return found


def find_scenario_bin(config):
    """bedrock-scenario, or None: only tests that load a scenario need it."""
    found = _setting(config, "bedrock_scenario_bin", "BEDROCK_SCENARIO_BIN")
    if found:
        return found
    sibling = Path(find_mock_bin(config)).with_name(SCENARIO_NAME)
    if sibling.is_file():
        return str(sibling)
    return _checkout_build(config, SCENARIO_NAME) or shutil.which(SCENARIO_NAME)


def mock_args(config):
    args = shlex.split(_setting(config, "bedrock_mock_args") or "")
    if not any(a == "--clock" or a.startswith("--clock=") for a in args):
        args = ["--clock", "virtual", *args]
    return args


def _start(config):
    return BedrockMock.start(find_mock_bin(config), mock_args(config), find_scenario_bin(config))


def _scenario_path(request):
    """The marker's file (relative to the test file's folder, else the rootdir), or --bedrock-scenario."""
    marker = request.node.get_closest_marker(MARKER)
    name = marker.args[0] if marker and marker.args else (marker.kwargs.get("path") if marker else None)
    name = name or _setting(request.config, "bedrock_scenario")
    if not name:
        return None
    for base in (Path(str(request.node.fspath)).parent, Path(str(request.config.rootpath)), Path.cwd()):
        if (base / name).exists():
            return str(base / name)
    raise pytest.UsageError(f"scenario file {name} not found next to the test, in the rootdir or the cwd")


@pytest.fixture(scope="session")
def bedrock_mock_session(request):
    """One bedrock-mock for the whole run (not reset: `bedrock_mock` resets it per test)."""
    mock = _start(request.config)
    yield mock
    mock.stop()


def _acquire(request):
    """(mock, owned): a scenario's own process, the session's (fresh), or a new one per test."""
    config = request.config
    scenario = _scenario_path(request)
    if scenario:
        scenario_bin = find_scenario_bin(config)
        if not scenario_bin:
            raise pytest.UsageError(f"{SCENARIO_NAME} not found (--bedrock-mock-scenario-bin, BEDROCK_SCENARIO_BIN)")
        return BedrockMock.start_scenario(scenario_bin, scenario), True
    scope = _setting(config, "bedrock_mock_scope") or "function"
    if scope not in ("function", "session"):
        raise pytest.UsageError(f"bedrock_mock_scope is {scope!r}: function or session")
    if scope == "session":
        mock = request.getfixturevalue("bedrock_mock_session")
        if mock.scenario or not mock.running:  # the last test loaded a scenario file, or the mock died
            mock.restart(find_mock_bin(config), mock_args(config))
        else:
            mock.reset()
        return mock, False
    return _start(config), True


@pytest.fixture
def bedrock_mock(request):
    """A running bedrock-mock; the AWS SDK environment points at it for this test."""
    mock, owned = _acquire(request)
    patch = pytest.MonkeyPatch()
    for name in UNSET_VARS:
        patch.delenv(name, raising=False)

    def export(env):
        for key, value in env.items():
            patch.setenv(key, value)

    mock.env_setter = export
    export(mock.env)
    request.node._bedrock_mock = mock
    try:
        yield mock
    finally:
        request.node._bedrock_mock = None
        mock.env_setter = None
        patch.undo()
        if owned:
            mock.stop()


def pytest_collection_modifyitems(items):
    # The marker alone is enough: a marked test gets the fixture without naming it.
    for item in items:
        names = getattr(item, "fixturenames", None)
        if item.get_closest_marker(MARKER) and names is not None and "bedrock_mock" not in names:
            names.append("bedrock_mock")


@pytest.hookimpl(trylast=True)
def pytest_runtest_call(item):
    """After a passing test that ran a scenario, its expectations must hold too. trylast: this
    runs after pytest's own implementation ran the test, and not at all when the test raised;
    a plain implementation (not a wrapper) fails the call phase with no wrapper left half-done."""
    mock = getattr(item, "_bedrock_mock", None)
    if mock is None or not mock.scenario:
        return
    check = mock.check_scenario()
    if not check.ok:
        pytest.fail(f"scenario {mock.scenario}: expectations not met\n{check.output}", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report gets a section with the mock's journal of that test."""
    outcome = yield
    report = outcome.get_result()
    mock = getattr(item, "_bedrock_mock", None)
    if not report.failed or mock is None or not mock.running:
        return
    try:
        text = format_journal(mock.journal(bodies=True))
    except Exception as err:  # the report must not fail because the mock did
        text = f"(journal unavailable: {err})"
    report.sections.append(("bedrock-mock journal", f"{mock.url}\n{text}"))
