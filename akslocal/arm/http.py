"""The HTTP edge of ARM: bearer authentication, the subscription check, bodies, the one error renderer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from akslocal.arm import errors, metadata, operations, subscriptions
from akslocal.arm.errors import ArmError
from akslocal.arm.role_assignments import Caller, authorize

MAX_BODY = 1 << 20


def error_response(exc: ArmError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers or None)


def authenticate(services, request: Request) -> tuple[Caller, dict]:
    from akslocal.identity.bearer import BearerError, verify_bearer

    header = request.headers.get("authorization")
    challenge = f'Bearer authorization_uri="{services.settings.public_url}/", error="invalid_token"'
    try:
        if not header:
            raise ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        if not header.strip().lower().startswith("bearer "):
            raise ArmError(401, "AuthenticationFailed",
                           "Authentication failed. The 'Authorization' header is provided in an invalid format.")
        claims = verify_bearer(services, header, metadata.ARM_AUDIENCES)
    except BearerError as exc:
        error = ArmError(exc.status, exc.code, exc.message)
        error.headers["WWW-Authenticate"] = challenge + f', error_description="{exc.code}"'
        raise error from None
    except ArmError as exc:
        exc.headers["WWW-Authenticate"] = challenge
        raise
    return Caller.from_claims(claims), claims


def subscription_for(tx, caller: Caller, subscription_id: str, action: str, scope: str | None = None,
                     authority: str = "https://login.windows.net") -> dict:
    """The subscription, once the caller is known to be of its tenant and allowed ``action`` at ``scope``."""
    sub = subscriptions.require_subscription(tx, subscription_id)
    if caller.tenant_id.lower() != sub["tenantId"].lower():
        raise ArmError(
            401, "InvalidAuthenticationTokenTenant",
            f"The access token is from the wrong issuer 'https://sts.windows.net/{caller.tenant_id}/'. It must match "
            f"the tenant 'https://sts.windows.net/{sub['tenantId']}/' associated with this subscription. Please use "
            f"the authority (URL) '{authority}/{sub['tenantId']}' to get the token.")
    authorize(tx, caller, sub["subscriptionId"], action, scope or f"/subscriptions/{sub['subscriptionId']}")
    return sub


async def json_body(request: Request, *, required: bool = True) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ArmError(413, "RequestEntityTooLarge", "The request content exceeds the maximum size of 1 MB.")
    if not raw.strip():
        if required:
            raise errors.invalid_content("the request body is empty.")
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.invalid_content(str(exc)[:200]) from None


def api_version(request: Request) -> str:
    version = request.query_params.get("api-version")
    if not version:
        raise ArmError(400, "MissingApiVersionParameter",
                       "The api-version query parameter (?api-version=) is required for all requests.")
    return version[:40]


def lro_headers(services, op: dict, version: str, *, async_header: bool = True) -> dict[str, str]:
    base = services.settings.public_url
    headers = {"Location": f"{base}{operations.result_path(op)}?api-version={version}",
               "Retry-After": operations.retry_after(op, services.clock.now())}
    if async_header:
        headers["Azure-AsyncOperation"] = f"{base}{operations.status_path(op)}?api-version={version}"
    return headers


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def empty(status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, headers=headers)


@dataclass
class Call:
    """One parsed ARM request: who, what path parameters, which api-version."""

    request: Request
    services: Any
    caller: Caller
    params: dict[str, str]
    version: str
