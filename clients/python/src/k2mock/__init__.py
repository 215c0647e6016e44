"""Start k2mock (the offline Kopo Kopo sandbox) from Python tests and drive its admin API."""
from .receiver import CallbackReceiver, ReceivedCallback, kopo_kopo_signature
from .server import (UPDATE_SNAPSHOTS_VARIABLE, Attempt, Delivery, ExpectationResult, K2Mock, K2MockAdminTokenError,
                     K2MockAPIError, K2MockConflictError, K2MockError, K2MockNotFoundError, K2MockTranscriptMismatch,
                     RecordedRequest, Resource, Response, Sandbox, TranscriptDiff, Verification, find_binary)

__all__ = [
    "Attempt", "CallbackReceiver", "Delivery", "ExpectationResult", "K2Mock", "K2MockAPIError",
    "K2MockAdminTokenError", "K2MockConflictError", "K2MockError", "K2MockNotFoundError", "K2MockTranscriptMismatch",
    "ReceivedCallback", "RecordedRequest", "Resource", "Response", "Sandbox", "TranscriptDiff",
    "UPDATE_SNAPSHOTS_VARIABLE", "Verification", "find_binary", "kopo_kopo_signature",
]
