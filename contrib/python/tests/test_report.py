"""The plugin seen from a pytest run (pytester): report sections, stopping, scopes, scenarios."""
import json
import os
import urllib.error
import urllib.request

import pytest

from conftest import INNER_ARGS, needs_scenario, scenario_bin

SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")

# The inner runs' conftest: a boto3 client in standard mode, without botocore's real-time backoff.
INNER_CONFTEST = '''
import boto3, pytest
from botocore.config import Config
from botocore.retries import standard

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HELLO = [{"role": "user", "content": [{"text": "Hello"}]}]

@pytest.fixture
def converse(monkeypatch):
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    def call(max_attempts=None):
        config = Config(retries={"mode": "standard", "total_max_attempts": max_attempts}) if max_attempts else None
        return boto3.client("bedrock-runtime", config=config).converse(modelId=HAIKU, messages=HELLO)
    return call
'''


@pytest.fixture
def inner(pytester, monkeypatch):
    """run(source, *args) -> the RunResult of a pytest run of `source` with the plugin."""
    pytest.importorskip("boto3")
    monkeypatch.delenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", raising=False)
    pytester.makeconftest(INNER_CONFTEST)

    def run(source, *args):
        pytester.makepyfile(test_inner=source)
        return pytester.runpytest(*INNER_ARGS, *args)

    return run


def _refused(url):
    try:
        urllib.request.urlopen(url + "/_mock/health", timeout=5)
    except (urllib.error.URLError, ConnectionError):
        return True
    return False


def test_a_failed_test_reports_its_journal(inner):
    result = inner('''
def test_storm(bedrock_mock, converse):
    bedrock_mock.throttle(id="storm")
    converse(max_attempts=3)
''')
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "bedrock-mock journal" in out
    lines = [line for line in out.splitlines() if line.startswith("#")]
    assert len(lines) == 3, out
    for n, line in enumerate(lines, start=1):
        assert "Converse" in line and " 429 " in line and "ThrottlingException" in line, line
        # botocore's first attempt says `attempt=1` alone; the retries add `max=3`.
        assert f"attempt {n}" in line and "rule storm" in line, line


def test_a_passing_test_has_no_journal_section(inner):
    result = inner('''
def test_ok(bedrock_mock, converse):
    converse()
''', "-rA")
    result.assert_outcomes(passed=1)
    assert "bedrock-mock journal" not in result.stdout.str()


def test_the_mock_stops_and_the_environment_returns_even_when_the_test_fails(inner, tmp_path):
    record = tmp_path / "url"
    result = inner(f'''
import os
def test_fails(bedrock_mock):
    open({str(record)!r}, "w").write(bedrock_mock.url)
    assert os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] == bedrock_mock.url
    raise RuntimeError("boom")

def test_after():
    assert "AWS_ENDPOINT_URL_BEDROCK_RUNTIME" not in os.environ
''')
    result.assert_outcomes(failed=1, passed=1)
    assert _refused(record.read_text())


def test_session_scope_shares_one_mock_reset_before_each_test(inner, tmp_path):
    record = tmp_path / "urls"
    source = f'''
def test_one(bedrock_mock, converse):
    open({str(record)!r}, "a").write(bedrock_mock.url + "\\n")
    bedrock_mock.reply("scripted")
    converse()
    assert len(bedrock_mock.journal()) == 1

def test_two(bedrock_mock, converse):
    open({str(record)!r}, "a").write(bedrock_mock.url + "\\n")
    assert bedrock_mock.journal() == [] and bedrock_mock.rules() == []
    assert converse()["output"]["message"]["content"][0]["text"] != "scripted"
'''
    result = inner(source, "-o", "bedrock_mock_scope=session")
    result.assert_outcomes(passed=2)
    urls = record.read_text().split()
    assert len(urls) == 2 and urls[0] == urls[1]
    assert _refused(urls[0])  # stopped at the end of the session
    record.unlink()
    inner(source, "--bedrock-mock-scope", "function").assert_outcomes(passed=2)
    urls = record.read_text().split()
    assert urls[0] != urls[1]


def test_a_missing_binary_is_a_readable_error(inner):
    result = inner('''
def test_x(bedrock_mock):
    pass
''', "--bedrock-mock-bin", "/nonexistent/bedrock-mock")
    result.assert_outcomes(errors=1)
    assert "cannot run /nonexistent/bedrock-mock" in result.stdout.str()


def test_extra_mock_arguments_reach_the_mock(inner):
    result = inner('''
def test_real_clock(bedrock_mock):
    assert bedrock_mock.health()["clock"] == "real"
''', "--bedrock-mock-args", "--clock real --seed 7")
    result.assert_outcomes(passed=1)


@needs_scenario
def test_the_marker_runs_a_scenario_file_and_checks_it(inner):
    path = os.path.join(SCENARIOS, "throttle-once.json")
    result = inner(f'''
import os, pytest

@pytest.mark.bedrock_scenario({path!r})
def test_retried(bedrock_mock, converse):
    assert os.environ["AWS_MAX_ATTEMPTS"] == "3"     # the scenario's client settings are exported
    assert converse()["ResponseMetadata"]["RetryAttempts"] == 1

@pytest.mark.bedrock_scenario({path!r})
def test_the_marker_alone_brings_the_fixture(converse):
    assert converse()["ResponseMetadata"]["RetryAttempts"] == 1

@pytest.mark.bedrock_scenario({path!r})
def test_not_retried(bedrock_mock, converse):
    import botocore.exceptions
    with pytest.raises(botocore.exceptions.ClientError):
        converse(max_attempts=1)
''', "--bedrock-mock-scenario-bin", scenario_bin())
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "test_not_retried" in out and "expectations not met" in out
    assert "Captured stdout" not in out  # the check's failure leaves pytest's own capturing intact


@needs_scenario
def test_load_scenario_replaces_the_mock_on_the_same_port(bedrock_mock, brt, no_backoff):
    port = bedrock_mock.port
    bedrock_mock.load_scenario(os.path.join(SCENARIOS, "throttle-once.json"))
    assert bedrock_mock.port == port and bedrock_mock.scenario.endswith("throttle-once.json")
    assert os.environ["AWS_RETRY_MODE"] == "standard"
    brt(max_attempts=3).converse(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                                 messages=[{"role": "user", "content": [{"text": "Hi"}]}])
    assert bedrock_mock.check_scenario().ok


def test_the_scenario_fixture_file_is_well_formed():
    with open(os.path.join(SCENARIOS, "throttle-once.json")) as f:
        scenario = json.load(f)
    assert scenario["expect"]["journal"]["statuses"] == [429, 200]


def test_the_report_adds_the_last_bodies_when_the_journal_keeps_them():
    from pytest_bedrock_mock import format_journal

    entry = {"seq": 1, "operation": "Converse", "model_id": "m", "status": 200}
    assert format_journal([entry]).splitlines() == ["#1  Converse  m  200"]
    lines = format_journal([entry, dict(entry, seq=2, request_body={"messages": []}, response_body="x" * 3000)])
    lines = lines.splitlines()
    assert lines[2] == 'last request_body: {"messages": []}'
    assert lines[3] == "last response_body: " + '"' + "x" * 1999 + "…"
    assert format_journal([]) == "(no request reached the mock)"


@needs_scenario
def test_a_scenario_loaded_under_session_scope_is_gone_by_the_next_test(inner):
    path = os.path.join(SCENARIOS, "throttle-once.json")
    result = inner(f'''
def test_loads(bedrock_mock, converse):
    bedrock_mock.load_scenario({path!r})
    assert converse(max_attempts=3)["ResponseMetadata"]["RetryAttempts"] == 1

def test_after(bedrock_mock, converse):
    assert bedrock_mock.scenario is None and bedrock_mock.rules() == []
    assert converse()["ResponseMetadata"]["RetryAttempts"] == 0
''', "-o", "bedrock_mock_scope=session", "--bedrock-mock-scenario-bin", scenario_bin())
    result.assert_outcomes(passed=2)
