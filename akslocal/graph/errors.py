"""Graph's error envelope, rendered in exactly one place.

``{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from starlette.responses import JSONResponse

from akslocal.directory.errors import DirectoryError


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    return GraphError(400, code, message)


def unsupported_query(message: str) -> GraphError:
    return GraphError(400, "Request_UnsupportedQuery", message)


def not_found(object_id: str) -> GraphError:
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
    )


def denied() -> GraphError:
    return GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


def from_directory(exc: DirectoryError) -> GraphError:
    return GraphError(exc.status, exc.code, exc.message)


def render(
    error: GraphError, *, now: float, client_request_id: str | None, headers: dict | None = None
) -> JSONResponse:
    request_id = str(uuid.uuid4())  # a correlation id for the log, not state
    date = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    inner = {"date": date, "request-id": request_id, "client-request-id": client_request_id or request_id}
    response_headers = {"request-id": request_id, "client-request-id": client_request_id or request_id}
    response_headers.update(headers or {})
    return JSONResponse(
        {"error": {"code": error.code, "message": error.message, "innerError": inner}},
        status_code=error.status,
        headers=response_headers,
    )
