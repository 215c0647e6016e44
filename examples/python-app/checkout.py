"""A small shop's checkout against K2 Connect: it asks a customer for an M-PESA payment (an STK
push), reads the result K2 posts back, and checks that result's signature. Standard library only;
it knows K2 only by its base URL, so tests point it at k2mock."""
import hashlib
import hmac
import json
import urllib.parse
import urllib.request


class Checkout:
    def __init__(self, base_url, client_id, client_secret, api_key, till_number="K000000"):
        self.base_url = base_url.rstrip("/")
        self.client_id, self.client_secret, self.api_key = client_id, client_secret, api_key
        self.till_number = till_number

    def _call(self, method, path, body=None, token=None, form=False):
        if form:
            data, kind = urllib.parse.urlencode(body).encode(), "application/x-www-form-urlencoded"
        else:
            data, kind = (json.dumps(body).encode() if body is not None else None), "application/json"
        headers = {"Content-Type": kind, "Accept": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request) as response:
            return response.headers, response.read()

    def token(self):
        _, body = self._call("POST", "/oauth/token", {"grant_type": "client_credentials", "client_id": self.client_id,
                                                      "client_secret": self.client_secret}, form=True)
        return json.loads(body)["access_token"]

    def ask_for_payment(self, phone_number, amount, callback_url):
        """Starts an STK push; returns the URL its status is read from."""
        headers, _ = self._call("POST", "/api/v2/incoming_payments", {
            "payment_channel": "M-PESA STK Push", "till_number": self.till_number,
            "subscriber": {"phone_number": phone_number}, "amount": {"currency": "KES", "value": amount},
            "_links": {"callback_url": callback_url}}, token=self.token())
        return headers["Location"]

    def status(self, location):
        _, body = self._call("GET", location[len(self.base_url):], token=self.token())
        return json.loads(body)["data"]["attributes"]["status"]

    def handle_result(self, headers, body):
        """What the callback endpoint does: refuses a body whose signature is wrong, else returns
        (payment id, status)."""
        signature = next((v for k, v in headers.items() if k.lower() == "x-kopokopo-signature"), "")
        expected = hmac.new(self.api_key.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected):
            raise PermissionError("bad signature")
        data = json.loads(body)["data"]
        return data["id"], data["attributes"]["status"]
