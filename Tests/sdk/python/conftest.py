"""The official Python SDK (k2-connect) against the real k2mock binary, started by k2mock's own
pytest plugin (clients/python): the `k2mock` fixture serves `pytest.ini`'s scenario unless a
test's `@pytest.mark.k2mock` says otherwise."""
import pytest


@pytest.fixture
def receiver(k2mock_receiver):
    """The plugin's callback receiver, verifying with the scenario's API key (pytest.ini)."""
    return k2mock_receiver
