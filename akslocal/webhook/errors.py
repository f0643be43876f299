"""The webhook's one error type: why a token was not authenticated, in guard's words."""

from __future__ import annotations


class ReviewError(Exception):
    """A refused token: ``reason`` is a short stable code (metrics, logs, tests), ``message`` the
    text the API server reads in ``status.error`` (guard / go-oidc wording)."""

    def __init__(self, reason: str, message: str, *, http_status: int = 401, hint: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.http_status = http_status
        self.hint = hint  # what to do about it (explain prints it; never sent to the API server)
