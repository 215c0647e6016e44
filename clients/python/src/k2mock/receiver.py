"""A callback receiver on a free port that keeps every POST and checks K2's signature."""
from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional


def kopo_kopo_signature(body: bytes, api_key: str) -> str:
    """`X-KopoKopo-Signature`: hex HMAC-SHA256 of the exact body bytes, keyed with the API key."""
    return hmac.new(api_key.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ReceivedCallback:
    """One POST: its path, headers, exact body, and whether its signature is right for the
    receiver's API key (None when the receiver has no key)."""
    path: str
    headers: Dict[str, str]
    body: bytes
    verified: Optional[bool]

    @property
    def signature(self) -> Optional[str]:
        return next((v for k, v in self.headers.items() if k.lower() == "x-kopokopo-signature"), None)

    def json(self) -> Any:
        return json.loads(self.body)


_LOOPBACK = ("127.0.0.1", "localhost")


class CallbackReceiver:
    """Listens on a free port; answers each POST with the next of `statuses` (200 once they
    run out) and keeps it. With `api_key`, each is checked against `X-KopoKopo-Signature`.

    `host` is the name (or IPv4 address) k2mock reaches this machine by, which `url()` uses.
    None (the default): `127.0.0.1`, listening on loopback only. Any other (k2mock in a
    container: `host.docker.internal`, or GitLab's `build`) listens on every interface."""

    def __init__(self, api_key: Optional[str] = None, statuses: Optional[List[int]] = None, *,
                 host: Optional[str] = None) -> None:
        self.api_key = api_key
        self.host = host or "127.0.0.1"
        self.received: List[ReceivedCallback] = []
        self._statuses = list(statuses or [])
        self._arrived = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                signature = next((v for k, v in headers.items() if k.lower() == "x-kopokopo-signature"), "")
                verified = (hmac.compare_digest(signature, kopo_kopo_signature(body, receiver.api_key))
                            if receiver.api_key is not None else None)
                with receiver._arrived:
                    status = receiver._statuses.pop(0) if receiver._statuses else 200
                    receiver.received.append(ReceivedCallback(self.path, headers, body, verified))
                    receiver._arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        listen = "127.0.0.1" if self.host in _LOOPBACK else "0.0.0.0"
        self._server = http.server.ThreadingHTTPServer((listen, 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str = "/k2/result") -> str:
        """A URL on this receiver, for a `callback_url` or a webhook subscription."""
        return "http://%s:%d%s" % (self.host, self.port, path)

    def respond_with(self, *statuses: int) -> None:
        """The statuses the next POSTs get, in order (a 500 makes k2mock retry)."""
        with self._arrived:
            self._statuses = list(statuses)

    def wait_for(self, count: int, timeout: float = 10.0) -> List[ReceivedCallback]:
        """Waits (wall time) until `count` POSTs arrived, for real-clock runs; raises
        AssertionError if they did not."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("%d callbacks arrived in %s s, not %d" % (len(self.received), timeout, count))
                self._arrived.wait(left)
            return list(self.received)

    def assert_all_verified(self) -> None:
        """Raises AssertionError if any POST's signature was wrong (needs an API key)."""
        if self.api_key is None:
            raise AssertionError("the receiver has no API key to verify with")
        bad = [c.path for c in self.received if not c.verified]
        if bad:
            raise AssertionError("%d callbacks with a wrong signature: %s" % (len(bad), bad))

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "CallbackReceiver":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
