"""Fixtures for driving the real k2mock binary with the official Python SDK (k2-connect)."""
import http.server
import json
import os
import subprocess
import threading
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BINARY = os.environ.get("K2MOCK_BIN", os.path.join(ROOT, ".build", "debug", "k2mock"))


class K2Mock:
    """`k2mock serve --port 0` with a scenario, plus helpers for the admin API."""

    def __init__(self, scenario, *extra):
        self.process = subprocess.Popen(
            [BINARY, "serve", "--port", "0", "--scenario", os.path.join(ROOT, "scenarios", scenario), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline().strip()
        assert line.startswith("k2mock listening on "), line
        self.origin = line[len("k2mock listening on "):]
        # Keep draining its request log so the pipe never fills.
        threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()
        self.base_url = self.origin + "/"          # the form k2connect.initialize requires

    def request(self, method, path, body=None, token=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        req = urllib.request.Request(self.origin + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def advance(self, seconds):
        status, _, body = self.request("POST", "/__admin/clock/advance", {"seconds": seconds})
        assert status == 200, body
        return json.loads(body)

    def stop(self):
        self.process.terminate()
        assert self.process.wait(timeout=10) == 0


class Receiver:
    """A callback listener: keeps each POST's exact bytes and headers."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                received.append((dict(self.headers), self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/k2/result" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def k2mock():
    started = []

    def start(scenario="happy-path.yaml", *extra):
        server = K2Mock(scenario, *extra)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
