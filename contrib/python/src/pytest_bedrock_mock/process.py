"""Start and stop a bedrock-mock process, or a `bedrock-scenario serve` one, on a free port.

Each _Process owns its child and a temporary folder (the port file, the child's stderr);
stop() ends the child (SIGTERM, then SIGKILL after the deadline) and removes the folder. A
child still running when the interpreter exits (a stop() that never came) is sent SIGTERM.
Not thread-safe. Standard library only, so the plugin needs nothing but pytest.
"""
import atexit
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import weakref

# How long a start, a stop or one admin call may take before it fails. Generous on purpose
# (the project's TH_DEADLINE_MS is the same 30 s): a loaded CI machine can take seconds to
# start a process, and every wait below ends as soon as its condition holds.
DEADLINE_S = 30.0


_live = weakref.WeakSet()


@atexit.register
def _terminate_live():
    for proc in list(_live):
        if proc.proc.poll() is None:
            proc.proc.terminate()


class BedrockMockError(RuntimeError):
    """An admin call the mock refused (status and Bedrock-style message), or a start that failed."""

    def __init__(self, message, status=None, body=None):
        super().__init__(message)
        self.status = status
        self.body = body


class _Process:
    """A child process with its own temporary folder; its stderr goes to a file there.

    make_argv(folder) returns the command line, so that it can name files in the folder."""

    def __init__(self, make_argv, stdout=subprocess.DEVNULL):
        self.dir = tempfile.mkdtemp(prefix="bedrock-mock-")
        self.argv = make_argv(self.dir)
        self._stderr = open(os.path.join(self.dir, "stderr.log"), "wb")
        try:
            self.proc = subprocess.Popen(self.argv, stdout=stdout, stderr=self._stderr, stdin=subprocess.DEVNULL)
        except OSError as err:
            self.close()
            raise BedrockMockError(f"cannot run {self.argv[0]}: {err}") from err
        _live.add(self)

    def stderr_tail(self, limit=2000):
        try:
            with open(os.path.join(self.dir, "stderr.log"), "rb") as f:
                return f.read()[-limit:].decode("utf-8", "replace")
        except OSError:
            return ""

    def failed_to_start(self, why):
        tail = self.stderr_tail()
        self.stop()
        raise BedrockMockError(f"{' '.join(self.argv)}: {why}" + (f"\n{tail}" if tail else ""))

    def check_alive(self, deadline, what):
        """Fail the start when the process exited or the deadline passed."""
        if self.proc.poll() is not None:
            self.failed_to_start(f"exited with status {self.proc.returncode}")
        if time.monotonic() > deadline:
            self.failed_to_start(f"no {what} after {DEADLINE_S:.0f} s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.close()

    def close(self):
        if not self._stderr.closed:
            self._stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_mock(binary, args=()):
    """bedrock-mock on a free port (--port 0); the port it bound is read from its --port-file."""
    proc = _Process(lambda d: [binary, "--port", "0", "--port-file", os.path.join(d, "port"),
                               "--log-level", "warn", *args])
    port_file = os.path.join(proc.dir, "port")
    deadline = time.monotonic() + DEADLINE_S
    while not os.path.exists(port_file):
        proc.check_alive(deadline, "--port-file")
        time.sleep(0.01)
    with open(port_file) as f:
        return proc, f"http://127.0.0.1:{int(f.read())}"


# The one line `bedrock-scenario serve` prints on stdout once it serves (docs/scenarios.md).
URL_LINE_PREFIX = "BEDROCK_MOCK_URL="


def start_scenario(binary, path, port=0):
    """`bedrock-scenario serve FILE --port N`: the mock with the scenario's setup applied."""
    proc = _Process(lambda d: [binary, "serve", os.fspath(path), "--port", str(port)], stdout=subprocess.PIPE)
    lines = queue.Queue()

    def drain():  # reads stdout to the end, so that later output never fills the pipe
        for raw in proc.proc.stdout:
            lines.put(raw.decode("utf-8", "replace").strip())
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            line = lines.get(timeout=0.05)
        except queue.Empty:
            proc.check_alive(deadline, URL_LINE_PREFIX + " line")
            continue
        if line is None:
            proc.failed_to_start(f"exited before printing {URL_LINE_PREFIX}URL")
        if line.startswith(URL_LINE_PREFIX):
            return proc, line[len(URL_LINE_PREFIX):]


def wait_healthy(proc, url):
    """Poll GET /_mock/health until it answers 200: the mock then serves requests."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            with urllib.request.urlopen(url + "/_mock/health", timeout=DEADLINE_S) as resp:
                if resp.status == 200:
                    return json.loads(resp.read())
        except (urllib.error.URLError, ConnectionError):
            pass
        proc.check_alive(deadline, "answer from /_mock/health")
        time.sleep(0.02)
