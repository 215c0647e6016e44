"""Stands in for an app's own tests in the CI recipes' parallel jobs: `pytest -n 4` against ONE
k2mock (a service container, $K2MOCK_URL), each test in a sandbox of its own (k2mock's pytest
plugin: `k2mock_sandbox`, `k2mock_receiver`). Every test pays three suppliers through K2's v1
payments API as sample_app_tests.py does, retrying the 503 that scenarios/ci-pipeline.yaml
answers to the third payment request, so each sandbox meets that scenario's expectations on
its own. Run with `--k2mock-scenario <ci-pipeline.yaml as the server sees it>`."""
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest


class App:
    """The app under test: it knows K2 by a base URL and its credentials, nothing else."""

    def __init__(self, base_url, client_id, client_secret):
        self.base_url = base_url.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret

    def _call(self, method, path, body, headers):
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def token(self):
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": self.client_id,
                                       "client_secret": self.client_secret}).encode()
        status, body = self._call("POST", "/oauth/token", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, body
        return json.loads(body)["access_token"]

    def pay(self, amount, callback_url):
        payment = {"destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
                   "amount": {"currency": "KES", "value": amount}, "_links": {"callback_url": callback_url}}
        headers = {"Content-Type": "application/json", "Authorization": "Bearer " + self.token()}
        status, _ = self._call("POST", "/api/v1/payments", json.dumps(payment).encode(), headers)
        if status == 503:  # K2 was briefly unavailable: try once more
            status, _ = self._call("POST", "/api/v1/payments", json.dumps(payment).encode(), headers)
        return status


@pytest.mark.parametrize("batch", range(8))
def test_three_suppliers_are_paid_and_called_back(k2mock_sandbox, k2mock_receiver, batch):
    app = App(k2mock_sandbox.base_url, k2mock_sandbox.client_id, k2mock_sandbox.client_secret)
    for amount in (1000, 2000, 3000):
        assert app.pay(amount + batch, k2mock_receiver.url("/k2/payments")) == 201
    k2mock_sandbox.advance(60)
    assert [callback.verified for callback in k2mock_receiver.received] == [True, True, True]
    k2mock_sandbox.assert_expectations()  # 4 payment requests (one 503), 3 delivered callbacks: this test's own
