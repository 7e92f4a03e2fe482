"""BedrockMock: the object the `bedrock_mock` fixture hands to a test.

It holds the endpoint URL, the environment an AWS SDK needs to find the mock, and one method
per admin-API call (docs/admin-api.md, docs/rules.md). It owns the process behind it (see
process.py): stop() ends it; load_scenario() replaces it with `bedrock-scenario serve FILE` on
the same port. Not thread-safe: one test drives it at a time.
"""
import collections
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request

from .process import DEADLINE_S, BedrockMockError, start_mock, start_scenario, wait_healthy

# The credentials and region the fixture exports. The mock's default --auth lenient accepts any
# well-formed SigV4 signature; the journal's `account` is this access key id.
ACCESS_KEY_ID = "AKIDEXAMPLE"
SECRET_ACCESS_KEY = "bedrock-mock-secret"
REGION = "us-east-1"

# Variables that would send an SDK elsewhere or make it sign differently: removed for the test.
# AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true makes boto3 ignore the endpoint variable; a bearer
# token (AWS_BEARER_TOKEN_BEDROCK) wins over the keys for bedrock-runtime; a session token would
# be sent with the dummy keys; AWS_PROFILE naming a profile the machine lacks stops boto3.
UNSET_VARS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK",
              "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_ENDPOINT_URL")


class ScenarioCheck:
    """What `bedrock-scenario check` said: ok, its exit code and its output."""

    def __init__(self, returncode, output):
        self.returncode = returncode
        self.output = output
        self.ok = returncode == 0

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"ScenarioCheck(ok={self.ok}, returncode={self.returncode})"


def _rule(action, *, id=None, operation=None, model=None, text=None, match=None, times=None, after=None,
          priority=None, probability=None, **extra):
    """One rule of docs/rules.md: the action, matchers from the keywords, then the modifiers."""
    rule = dict(action)
    matchers = dict(match or {})
    for key, value in (("operation", operation), ("modelId", model), ("text", text)):
        if value is not None:
            matchers[key] = value
    if matchers:
        rule["match"] = matchers
    for key, value in (("id", id), ("times", times), ("after", after), ("priority", priority),
                       ("probability", probability)):
        if value is not None:
            rule[key] = value
    rule.update(extra)
    return rule


def _cache_outcomes(entry):
    return [p.get("outcome") for p in (entry.get("cache") or {}).get("points", [])]


def scenario_client_env(path):
    """The environment `bedrock-scenario exec` gives a command for the scenario's `client`
    (docs/scenarios.md, exec): region, SigV4 keys or an API key, retry mode and attempts."""
    with open(path, encoding="utf-8") as f:
        client = json.load(f).get("client") or {}
    region = client.get("region", REGION)
    env = {"AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    auth = client.get("auth") or {}
    if "access_key_id" in auth:
        env.update(AWS_ACCESS_KEY_ID=auth["access_key_id"], AWS_SECRET_ACCESS_KEY=auth.get("secret_access_key", ""))
        if auth.get("session_token"):
            env["AWS_SESSION_TOKEN"] = auth["session_token"]
    if "api_key" in auth:
        env["AWS_BEARER_TOKEN_BEDROCK"] = auth["api_key"]
    retry = client.get("retry") or {}
    if "mode" in retry:
        env["AWS_RETRY_MODE"] = retry["mode"]
    if "max_attempts" in retry:
        env["AWS_MAX_ATTEMPTS"] = str(retry["max_attempts"])
    return env


# How much of the last request's and response's bodies the report shows.
BODY_CHARS = 2000


def format_journal(entries):
    """One line per journal entry, as the failure report shows them, then the bodies of the last
    request and its answer when the entries have them (journal(bodies=True))."""
    if not entries:
        return "(no request reached the mock)"
    lines = []
    for e in entries:
        parts = [f"#{e.get('seq')}", str(e.get("operation")), str(e.get("model_id") or "-"), str(e.get("status"))]
        if e.get("error_code"):
            parts.append(f"{e['error_code']}: {e.get('error_message') or ''}".strip())
        if e.get("attempt"):
            parts.append(f"attempt {e['attempt']}" + (f"/{e['max_attempts']}" if e.get("max_attempts") else ""))
        if e.get("invocation_id"):
            parts.append(f"invocation {e['invocation_id'][:8]}")
        for key in ("rule", "rejected_by_stage"):
            if e.get(key):
                parts.append(f"{key} {e[key]}")
        if e.get("cache"):
            parts.append("cache " + ",".join(str(o) for o in _cache_outcomes(e)))
        if e.get("quota", {}).get("throttled"):
            parts.append(f"quota {e['quota']['throttled']}")
        lines.append("  ".join(parts))
    last = entries[-1]
    for key in ("request_body", "response_body"):  # on a mock whose journal keeps bodies
        if last.get(key) is not None:
            text = json.dumps(last[key], ensure_ascii=False)
            lines.append(f"last {key}: {text[:BODY_CHARS]}" + ("…" if len(text) > BODY_CHARS else ""))
    return "\n".join(lines)


class BedrockMock:
    """A running mock and its admin API. Create it with BedrockMock.start() or the fixture."""

    def __init__(self, proc, url, scenario_bin=None):
        self._proc = proc
        self.url = url
        self.scenario = None
        self._scenario_bin = scenario_bin
        self.env_setter = None

    @classmethod
    def start(cls, binary, args=(), scenario_bin=None):
        """Start `binary` (bedrock-mock) on a free port and wait until it answers /_mock/health."""
        proc, url = start_mock(binary, args)
        wait_healthy(proc, url)
        return cls(proc, url, scenario_bin)

    @classmethod
    def start_scenario(cls, scenario_bin, path, port=0):
        """Start `bedrock-scenario serve FILE` and wait until its mock answers /_mock/health."""
        proc, url = start_scenario(scenario_bin, path, port)
        wait_healthy(proc, url)
        mock = cls(proc, url, scenario_bin)
        mock.scenario = os.fspath(path)
        return mock

    def _env_of_scenario(self):
        return scenario_client_env(self.scenario) if self.scenario else {}

    @property
    def port(self):
        return urllib.parse.urlsplit(self.url).port

    @property
    def endpoint_url(self):
        return self.url

    @property
    def env(self):
        """The variables the fixture exports: endpoint, dummy credentials, region; with a scenario
        loaded, also what its `client` says (as `bedrock-scenario exec` would export)."""
        env = {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": self.url, "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
               "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}
        env.update(self._env_of_scenario())
        return env

    @property
    def running(self):
        return self._proc is not None and self._proc.proc.poll() is None

    def stop(self):
        """End the process (SIGTERM, SIGKILL after the deadline). Safe to call twice."""
        if self._proc is not None:
            self._proc.stop()
            self._proc = None

    def restart(self, binary, args=()):
        """Replace the process with a fresh `binary` (bedrock-mock) on a new free port."""
        self.stop()
        self._proc, self.url = start_mock(binary, args)
        wait_healthy(self._proc, self.url)
        self.scenario = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---- the admin API --------------------------------------------------------------------
    def admin(self, method, path, body=None, query=None):
        """One admin call; returns the parsed JSON answer, raises BedrockMockError on a non-2xx."""
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=DEADLINE_S) as resp:
                text = resp.read()
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")
            try:
                message = json.loads(text).get("message", text)
            except ValueError:
                message = text
            raise BedrockMockError(f"{method} {path}: {err.code} {message}", err.code, text) from None
        return json.loads(text) if text else {}

    def health(self):
        return self.admin("GET", "/_mock/health")

    def add_rule(self, rule):
        """Add a rule (a dict) or several (a list), all or nothing; returns the id or the ids."""
        added = self.admin("POST", "/_mock/rules", rule)["rules"]
        ids = [r["id"] for r in added]
        return ids[0] if isinstance(rule, dict) and "rules" not in rule else ids

    def throttle(self, times=None, *, error="ThrottlingException", message=None, **matchers):
        """Answer matching requests with a ThrottlingException (429), `times` times (None = always)."""
        return self.fail(error, message=message, times=times, **matchers)

    def fail(self, error="InternalServerException", *, message=None, **matchers):
        """Answer matching requests with one of Bedrock's errors (docs/errors.md)."""
        action = {"error": error} if message is None else {"error": error, "message": message}
        return self.add_rule(_rule(action, **matchers))

    def reply(self, text=None, *, tool_use=None, stop_reason=None, usage=None, **matchers):
        """Script the model's answer: a text, a tool call ({"name":..., "input":...}), or both."""
        reply = {}
        for key, value in (("text", text), ("toolUse", tool_use), ("stopReason", stop_reason), ("usage", usage)):
            if value is not None:
                reply[key] = value
        if not reply:
            raise ValueError("reply() needs text=, tool_use=, stop_reason= or usage=")
        return self.add_rule(_rule({"reply": reply}, **matchers))

    def rules(self):
        """Every rule with its counters (`matched`, `fired`), in evaluation order."""
        return self.admin("GET", "/_mock/rules")["rules"]

    def rule(self, rule_id):
        return self.admin("GET", "/_mock/rules/" + urllib.parse.quote(rule_id, safe=""))

    def remove_rule(self, rule_id=None):
        """Remove one rule, or every rule when no id is given."""
        path = "/_mock/rules" + ("/" + urllib.parse.quote(rule_id, safe="") if rule_id else "")
        self.admin("DELETE", path)

    def set_quota(self, model="*", *, tokens_per_minute=0, requests_per_minute=0, tokens_per_day=0,
                  retry_after=False):
        """Per-model limits (0 = unlimited); `model` may be a glob. Returns GET /_mock/quotas."""
        return self.admin("PUT", "/_mock/quotas", {
            "model": model, "tokens_per_minute": tokens_per_minute, "requests_per_minute": requests_per_minute,
            "tokens_per_day": tokens_per_day, "retry_after": retry_after})

    def quotas(self):
        return self.admin("GET", "/_mock/quotas")

    def advance_clock(self, ms):
        """Move the virtual clock (the fixture starts the mock with --clock virtual)."""
        return self.admin("POST", "/_mock/clock", {"advance_ms": int(ms)})

    def clock(self):
        return self.admin("GET", "/_mock/clock")

    def journal(self, *, operation=None, model=None, invocation_id=None, account=None, bodies=False, since=None):
        """The journal, oldest first. bodies=True asks for request and response bodies (where the
        mock records them); since=SEQ keeps the entries after that sequence number."""
        query = {"operation": operation, "model": model, "invocation_id": invocation_id, "account": account,
                 "bodies": "1" if bodies else None, "since": since}
        entries = self.admin("GET", "/_mock/requests", query=query)["requests"]
        # A mock without `since` returns everything: filter here too (same meaning: seq > SEQ).
        return [e for e in entries if since is None or e.get("seq", 0) > since]

    def attempts_by_invocation(self, **filters):
        """{amz-sdk-invocation-id: attempts}: every retry of one SDK call shares the id, so this
        counts the attempts of each call, in the order the calls started. A request without the
        header (curl, a hand-made client) counts alone, under its request id."""
        counts = collections.OrderedDict()
        for e in self.journal(**filters):
            key = e.get("invocation_id") or e.get("request_id")
            counts[key] = counts.get(key, 0) + 1
        return dict(counts)

    def cache_outcomes(self, **filters):
        """For each request with cache points, the outcome of each point: [["write"], ["read"]]."""
        return [_cache_outcomes(e) for e in self.journal(**filters) if e.get("cache")]

    def cache(self):
        """The live prompt-cache entries (GET /_mock/cache)."""
        return self.admin("GET", "/_mock/cache")["entries"]

    def clear_cache(self):
        self.admin("DELETE", "/_mock/cache")

    def clear_journal(self):
        self.admin("DELETE", "/_mock/requests")

    def reset(self):
        """Forget the journal, the prompt cache and API-added rules; quotas back to their start."""
        self.admin("POST", "/_mock/reset")

    # ---- scenario files (bedrock-scenario, docs/scenarios.md) ------------------------------
    def load_scenario(self, path):
        """Replace this mock with `bedrock-scenario serve FILE` on the same port: the scenario's
        setup applies, and check_scenario() (run by the plugin after the test) checks its
        expectations. The exported environment follows if the URL changes."""
        if not self._scenario_bin:
            raise BedrockMockError("bedrock-scenario not found (--bedrock-scenario-bin or BEDROCK_SCENARIO_BIN)")
        port = self.port
        self.stop()
        self._proc, self.url = start_scenario(self._scenario_bin, path, port)
        wait_healthy(self._proc, self.url)
        self.scenario = os.fspath(path)
        if self.env_setter:
            self.env_setter(self.env)

    def check_scenario(self):
        """`bedrock-scenario check FILE --endpoint URL` against this mock: a ScenarioCheck."""
        if not self.scenario:
            raise BedrockMockError("no scenario loaded")
        run = subprocess.run([self._scenario_bin, "check", self.scenario, "--endpoint", self.url],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=DEADLINE_S)
        return ScenarioCheck(run.returncode, run.stdout.decode("utf-8", "replace"))

    def __repr__(self):
        return f"BedrockMock(url={self.url!r}, scenario={self.scenario!r})"
