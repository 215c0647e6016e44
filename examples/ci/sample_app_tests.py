"""Stands in for an app's own test run in the CI recipes: pays three suppliers through K2's v1
payments API at $K2_BASE_URL (retrying a 503, as a careful app does), receives the signed
callbacks, and moves the sandbox clock. scenarios/ci-pipeline.yaml expects exactly this."""
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import urllib.error
import urllib.request

BASE = os.environ["K2_BASE_URL"].rstrip("/")
received = []


class Callbacks(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        expected = hmac.new(b"ci-api-key", body, hashlib.sha256).hexdigest()
        received.append(hmac.compare_digest(self.headers.get("X-KopoKopo-Signature", ""), expected))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def call(method, path, body=None, token="ci-token"):
    request = urllib.request.Request(BASE + path, data=json.dumps(body).encode() if body else None, method=method,
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Callbacks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    callback = "http://127.0.0.1:%d/k2/payments" % server.server_address[1]
    for amount in (1000, 2000, 3000):
        payment = {"destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
                   "amount": {"currency": "KES", "value": amount}, "_links": {"callback_url": callback}}
        status, _ = call("POST", "/api/v1/payments", payment)
        if status == 503:  # K2 was briefly unavailable: try once more
            status, _ = call("POST", "/api/v1/payments", payment)
        assert status == 201, "payment of %d: %d" % (amount, status)
    # The sandbox's clock: with an admin token (K2MOCK_ADMIN_TOKEN) the admin API wants it.
    status, _ = call("POST", "/__admin/clock/advance", {"seconds": 60}, token=os.environ.get("K2MOCK_ADMIN_TOKEN", ""))
    assert status == 200
    assert received == [True, True, True], "callbacks (signature ok?): %r" % received
    print("sample app: 3 payments made, 3 signed callbacks received")


if __name__ == "__main__":
    sys.exit(main())
