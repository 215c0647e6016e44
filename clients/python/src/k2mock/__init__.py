"""Start k2mock (the offline Kopo Kopo sandbox) from Python tests and drive its admin API."""
from .receiver import CallbackReceiver, ReceivedCallback, kopo_kopo_signature
from .server import (Attempt, Delivery, ExpectationResult, K2Mock, K2MockAdminTokenError, K2MockError,
                     RecordedRequest, Resource, Response, Verification, find_binary)

__all__ = [
    "Attempt", "CallbackReceiver", "Delivery", "ExpectationResult", "K2Mock", "K2MockAdminTokenError",
    "K2MockError", "ReceivedCallback", "RecordedRequest", "Resource", "Response", "Verification",
    "find_binary", "kopo_kopo_signature",
]
