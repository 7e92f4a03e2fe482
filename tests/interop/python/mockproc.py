"""Start and stop a bedrock-mock process for the boto3 interop tests."""
import json
import os
import subprocess
import tempfile
import time
import urllib.request

# How long to wait for the mock to start or stop, or for an admin call, before failing
# (tests/support/harness.h TH_DEADLINE_MS is the same 30 s).
STARTUP_DEADLINE_S = 30


class MockServer:
    """A bedrock-mock child process on a free port, with helpers for the admin API."""

    def __init__(self, *args):
        self.dir = tempfile.TemporaryDirectory()
        port_file = os.path.join(self.dir.name, "port")
        self.proc = subprocess.Popen(
            [os.environ["BRK_MOCK_BIN"], "--port", "0", "--port-file", port_file, "--log-level", "warn", *args],
            stdout=subprocess.DEVNULL,
        )
        # Generous: a loaded CI machine may take seconds to start a process; the loop ends as
        # soon as the port file appears.
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while not os.path.exists(port_file):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("bedrock-mock did not start")
            time.sleep(0.01)
        with open(port_file) as f:
            self.port = int(f.read())
        self.url = f"http://127.0.0.1:{self.port}"

    def admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        # A hung mock fails the test after the common deadline instead of hanging the suite.
        with urllib.request.urlopen(req, timeout=STARTUP_DEADLINE_S) as resp:
            return json.loads(resp.read())

    def requests(self, **filters):
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        return self.admin("GET", "/_mock/requests" + ("?" + query if query else ""))["requests"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=STARTUP_DEADLINE_S)
        self.dir.cleanup()
