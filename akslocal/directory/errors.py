"""The directory's one error type: a code in Microsoft Graph's vocabulary and a message.

Graph renders it as ``{"error": {"code", "message", ...}}`` with the status from
:data:`STATUS`; the token service maps the sign-in codes (``AADSTS…``) to OAuth errors.
"""

from __future__ import annotations

BAD_REQUEST = "Request_BadRequest"
NOT_FOUND = "Request_ResourceNotFound"
DENIED = "Authorization_RequestDenied"
CONFLICT = "Request_MultipleObjectsWithSameKeyValue"
UNSUPPORTED_QUERY = "Request_UnsupportedQuery"
DIRECTORY_QUOTA = "Directory_QuotaExceeded"
DUPLICATE_VALUE = "DuplicateValue"
# Sign-in outcomes (the token service renders these as invalid_grant with the AADSTS number).
INVALID_CREDENTIALS = "AADSTS50126"
USER_DISABLED = "AADSTS50057"
USER_NOT_FOUND = "AADSTS50034"
CONSENT_REQUIRED = "AADSTS65001"

# The HTTP status Graph answers for each code.
STATUS = {
    BAD_REQUEST: 400,
    UNSUPPORTED_QUERY: 400,
    CONFLICT: 409,
    NOT_FOUND: 404,
    DENIED: 403,
    DIRECTORY_QUOTA: 400,
    DUPLICATE_VALUE: 400,
    INVALID_CREDENTIALS: 400,
    USER_DISABLED: 400,
    USER_NOT_FOUND: 400,
    CONSENT_REQUIRED: 400,
}

INSUFFICIENT_PRIVILEGES = "Insufficient privileges to complete the operation."


class DirectoryError(Exception):
    """A rule of the directory was broken; nothing was written."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)


def bad_request(message: str) -> DirectoryError:
    return DirectoryError(BAD_REQUEST, message)


def not_found(object_id: str) -> DirectoryError:
    # Graph's own wording for an unknown object id.
    return DirectoryError(
        NOT_FOUND,
        f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
    )


def denied(message: str = INSUFFICIENT_PRIVILEGES) -> DirectoryError:
    return DirectoryError(DENIED, message)


def duplicate(prop: str) -> DirectoryError:
    return DirectoryError(BAD_REQUEST, f"Another object with the same value for property {prop} already exists.")
