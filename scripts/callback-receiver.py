#!/usr/bin/env python3
"""A callback receiver for trying k2mock by hand: prints each POST it gets and whether its
X-KopoKopo-Signature verifies with the api key you give it.

    scripts/callback-receiver.py 9000 sandbox_api_key
"""
import hashlib
import hmac
import http.server
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
api_key = (sys.argv[2] if len(sys.argv) > 2 else "sandbox_api_key").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        expected = hmac.new(api_key, body, hashlib.sha256).hexdigest()
        signature = self.headers.get("X-KopoKopo-Signature", "")
        verdict = "signature OK" if hmac.compare_digest(expected, signature) else "signature WRONG"
        print(f"POST {self.path} ({verdict})\n{body.decode()}\n", flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


print(f"listening on http://127.0.0.1:{port}/", flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
