"""HTTP surface of the token service: parse, call, render.  No domain decisions here.

Token and device-code endpoints (v1 and v2), OpenID metadata, JWKS, instance discovery,
user realm, the sign-in pages (:mod:`pages`) and the control routes ``/_akslocal/keys/rotate``
and ``/_akslocal/signins``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from akslocal.identity import apptokens, discovery, errors, keys, signins
from akslocal.identity import directory_view as dv
from akslocal.identity.errors import OAuthError
from akslocal.identity.grants import device_code, endpoint
from akslocal.identity.grants.base import TokenRequest
from akslocal.server.context import Services

MAX_BODY = 64 * 1024
NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


class _BadForm(Exception):
    pass


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded body, size-limited; duplicate parameters are refused (parameter confusion)."""
    body = await request.body()
    if len(body) > MAX_BODY:
        raise _BadForm("request body too large")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _BadForm("the body must be application/x-www-form-urlencoded") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise _BadForm(f"parameter '{name[:50]}' is repeated")
        form[name] = value
    return form


def basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    """RFC 6749 §2.3.1: ``Basic base64(urlencode(id):urlencode(secret))``."""
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, sep, secret = raw.partition(":")
    if not sep:
        return None, None
    return unquote_plus(client_id), unquote_plus(secret)


def oauth_error_response(services: Services, err: OAuthError, request: Request) -> JSONResponse:
    body = errors.error_body(
        err, now=services.clock.now(), trace_id=services.entropy.guid(),
        correlation_id=request.headers.get("client-request-id") or services.entropy.guid(),
        public_url=services.settings.public_url,
    )
    return JSONResponse(body, status_code=err.status, headers=NO_STORE)


async def parse_token_request(request: Request, version: int) -> TokenRequest:
    try:
        form = await read_form(request)
    except _BadForm as exc:
        raise OAuthError("invalid_request", 900144, str(exc)) from None
    basic_id, basic_secret = basic_credentials(request.headers.get("authorization"))
    client_id = form.get("client_id") or basic_id
    if basic_id and form.get("client_id") and basic_id != form.get("client_id"):
        raise OAuthError("invalid_client", 7000215, "The client_id in the body and in the Authorization header differ.",
                         status=401)
    return TokenRequest(
        version=version,
        tenant_ref=request.path_params["tenant"],
        form=form,
        api_version=request.query_params.get("api-version"),
        client_id=client_id or None,
        client_secret=form.get("client_secret") or basic_secret or None,
        correlation_id=(request.headers.get("client-request-id") or "")[:64],
        client_ip=request.client.host if request.client else None,
    )


def routes(services: Services) -> list[BaseRoute]:
    base = services.settings.public_url

    def tenant_id_for(ref: str) -> tuple[bool, str | None]:
        """(known, tenant id): common/organizations are known with no id."""
        if ref.lower() in dv.COMMON_TENANTS:
            return True, None
        if len(ref) > 256:
            return False, None
        with services.store.transaction(write=False) as tx:
            tenant = dv.resolve_tenant(tx, ref)
        return (tenant is not None), (tenant.id if tenant else None)

    def metadata_response(request: Request, version: int) -> Response:
        ref = request.path_params["tenant"]
        known, tid = tenant_id_for(ref)
        if not known:
            return oauth_error_response(services, errors.tenant_not_found(ref), request)
        doc = discovery.v2_metadata(base, ref, tid) if version == 2 else discovery.v1_metadata(base, ref, tid)
        return JSONResponse(doc, headers=discovery.CACHE_HEADERS)

    async def v1_metadata(request: Request) -> Response:
        return metadata_response(request, 1)

    async def v2_metadata(request: Request) -> Response:
        return metadata_response(request, 2)

    def key_set() -> list[dict[str, Any]]:
        return [k.jwk() for k in keys.keyring(services).published()]

    async def v1_keys(request: Request) -> Response:
        known, _ = tenant_id_for(request.path_params.get("tenant", "common"))
        if not known:
            return oauth_error_response(services, errors.tenant_not_found(request.path_params["tenant"]), request)
        return JSONResponse(discovery.jwks(key_set()), headers=discovery.CACHE_HEADERS)

    async def v2_keys(request: Request) -> Response:
        ref = request.path_params["tenant"]
        known, tid = tenant_id_for(ref)
        if not known:
            return oauth_error_response(services, errors.tenant_not_found(ref), request)
        issuer = f"{base}/{tid or discovery.PLACEHOLDER}/v2.0"
        return JSONResponse(discovery.jwks(key_set(), v2_issuer=issuer), headers=discovery.CACHE_HEADERS)

    async def instance(request: Request) -> Response:
        status, body = discovery.instance_discovery(base, request.query_params.get("authorization_endpoint"))
        return JSONResponse(body, status_code=status, headers=discovery.CACHE_HEADERS)

    async def user_realm(request: Request) -> Response:
        username = request.path_params["user"][:320]
        domain = username.rsplit("@", 1)[1] if "@" in username else ""
        known = False
        if domain:
            with services.store.transaction(write=False) as tx:
                known = dv.resolve_tenant(tx, domain) is not None
        return JSONResponse(discovery.user_realm(username, known))

    def token_endpoint(version: int):
        async def handler(request: Request) -> Response:
            try:
                token_request = await parse_token_request(request, version)
            except OAuthError as err:
                return oauth_error_response(services, err, request)
            status, body = endpoint.handle(services, token_request)
            return JSONResponse(body, status_code=status, headers=NO_STORE)

        return handler

    def devicecode_endpoint(version: int):
        async def handler(request: Request) -> Response:
            try:
                token_request = await parse_token_request(request, version)
                with services.store.transaction() as tx:
                    body = device_code.start(services, tx, token_request)
            except OAuthError as err:
                return oauth_error_response(services, err, request)
            return JSONResponse(body, headers=NO_STORE)

        return handler

    async def rotate_keys(request: Request) -> Response:
        from akslocal.server.control import is_control_caller

        if not is_control_caller(services, request):
            return _denied()
        with services.store.transaction() as tx:
            result = keys.rotate(tx, services.clock.now())
        keys.keyring(services).invalidate()
        return JSONResponse(result)

    async def list_signins(request: Request) -> Response:
        from akslocal.server.control import is_control_caller

        if not is_control_caller(services, request):
            return _denied()
        try:
            limit = max(1, min(int(request.query_params.get("top", "100")), 1000))
        except ValueError:
            limit = 100
        apptokens.signin_buffer(services).flush()  # include client-credentials issues not yet written
        with services.store.transaction(write=False) as tx:
            entries = signins.list_entries(tx, limit=limit)
        return JSONResponse({"value": list(reversed(entries))})

    from akslocal.identity import pages

    return [
        Route("/_akslocal/keys/rotate", rotate_keys, methods=["POST"]),
        Route("/_akslocal/signins", list_signins, methods=["GET"]),
        Route("/common/discovery/instance", instance, methods=["GET"]),
        Route("/common/userrealm/{user}", user_realm, methods=["GET"]),
        *pages.routes(services),
        Route("/{tenant}/.well-known/openid-configuration", v1_metadata, methods=["GET"]),
        Route("/{tenant}/v2.0/.well-known/openid-configuration", v2_metadata, methods=["GET"]),
        Route("/{tenant}/discovery/keys", v1_keys, methods=["GET"]),
        Route("/{tenant}/discovery/v2.0/keys", v2_keys, methods=["GET"]),
        Route("/{tenant}/oauth2/token", token_endpoint(1), methods=["POST"]),
        Route("/{tenant}/oauth2/v2.0/token", token_endpoint(2), methods=["POST"]),
        Route("/{tenant}/oauth2/devicecode", devicecode_endpoint(1), methods=["POST"]),
        Route("/{tenant}/oauth2/v2.0/devicecode", devicecode_endpoint(2), methods=["POST"]),
    ]


def _denied() -> JSONResponse:
    from akslocal.server.control import CONTROL_KEY_HEADER

    return JSONResponse(
        {"error": {"code": "Unauthorized", "message": f"send the control key in {CONTROL_KEY_HEADER}"}},
        status_code=401,
    )
