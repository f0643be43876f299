"""HTTP surface of the token service: parse, call, render.  No domain decisions here.

Token endpoints (v1 and v2; hot routes, see :mod:`akslocal.server.hotpath`), device-code
endpoints, OpenID metadata, JWKS, instance discovery, user realm, the sign-in pages
(:mod:`pages`) and the control routes ``/_akslocal/keys/rotate`` and ``/_akslocal/signins``.
"""

from __future__ import annotations

import base64
import binascii
import re
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
from akslocal.server.hotpath import HotRoute, headers_named, read_body, send_json

MAX_BODY = 64 * 1024
NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


class _BadForm(Exception):
    pass


MAX_FIELDS = 200


def parse_form(body: bytes | None) -> dict[str, str]:
    """An urlencoded body (None: over the size limit); duplicate parameters are refused (parameter confusion).

    Reads as ``parse_qsl(keep_blank_values=True, max_num_fields=200)`` does, without its cost on
    the hot path: only names and values that carry ``%`` or ``+`` are unquoted.
    """
    if body is None or len(body) > MAX_BODY:
        raise _BadForm("request body too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadForm("the body must be application/x-www-form-urlencoded") from exc
    form: dict[str, str] = {}
    if not text:
        return form
    fields = text.split("&")
    if len(fields) > MAX_FIELDS:
        raise _BadForm("the body must be application/x-www-form-urlencoded")
    for field in fields:
        if not field:
            continue
        name, _, value = field.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
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


def oauth_error_body(services: Services, err: OAuthError, correlation_id: str | None) -> dict[str, Any]:
    return errors.error_body(
        err, now=services.clock.now(), trace_id=services.entropy.guid(),
        correlation_id=correlation_id or services.entropy.guid(), public_url=services.settings.public_url,
    )


def oauth_error_response(services: Services, err: OAuthError, request: Request) -> JSONResponse:
    body = oauth_error_body(services, err, request.headers.get("client-request-id"))
    return JSONResponse(body, status_code=err.status, headers=NO_STORE)


def token_request(version: int, tenant: str, body: bytes | None, *, authorization: str | None,
                  client_request_id: str | None, api_version: str | None, client_ip: str | None) -> TokenRequest:
    """A token or device-code request from its parts (raises OAuthError for a malformed one)."""
    try:
        form = parse_form(body)
    except _BadForm as exc:
        raise OAuthError("invalid_request", 900144, str(exc)) from None
    basic_id, basic_secret = basic_credentials(authorization)
    client_id = form.get("client_id") or basic_id
    if basic_id and form.get("client_id") and basic_id != form.get("client_id"):
        raise OAuthError("invalid_client", 7000215, "The client_id in the body and in the Authorization header differ.",
                         status=401)
    return TokenRequest(
        version=version,
        tenant_ref=tenant,
        form=form,
        api_version=api_version,
        client_id=client_id or None,
        client_secret=form.get("client_secret") or basic_secret or None,
        correlation_id=(client_request_id or "")[:64],
        client_ip=client_ip,
    )


async def parse_token_request(request: Request, version: int) -> TokenRequest:
    return token_request(
        version, request.path_params["tenant"], await request.body(),
        authorization=request.headers.get("authorization"),
        client_request_id=request.headers.get("client-request-id"),
        api_version=request.query_params.get("api-version"),
        client_ip=request.client.host if request.client else None,
    )


def _query_value(query_string: bytes, name: str) -> str | None:
    """The last value of ``name`` in a query string, as Starlette's ``query_params.get``."""
    if not query_string:
        return None
    value = None
    for key, item in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if key == name:
            value = item
    return value


_TOKEN_HEADERS = (b"authorization", b"client-request-id")


def hot_routes(services: Services) -> list[HotRoute]:
    """The token endpoints (v1 and v2), served ahead of Starlette: every client's sign-in ends here."""

    def token_endpoint(version: int):
        async def handler(scope, receive, send, match) -> None:
            headers = headers_named(scope, _TOKEN_HEADERS)
            client = scope.get("client")
            try:
                request = token_request(
                    version, match["tenant"], await read_body(receive, MAX_BODY),
                    authorization=headers.get(b"authorization"),
                    client_request_id=headers.get(b"client-request-id"),
                    api_version=_query_value(scope.get("query_string", b""), "api-version"),
                    client_ip=client[0] if client else None,
                )
            except OAuthError as err:
                body = oauth_error_body(services, err, headers.get(b"client-request-id"))
                await send_json(send, err.status, body, NO_STORE)
                return
            status, body = endpoint.handle(services, request)
            await send_json(send, status, body, NO_STORE)

        return handler

    return [
        HotRoute(re.compile(r"/(?P<tenant>[^/]+)/oauth2/token"), token_endpoint(1)),
        HotRoute(re.compile(r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token"), token_endpoint(2)),
    ]


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
        Route("/{tenant}/oauth2/devicecode", devicecode_endpoint(1), methods=["POST"]),
        Route("/{tenant}/oauth2/v2.0/devicecode", devicecode_endpoint(2), methods=["POST"]),
    ]


def _denied() -> JSONResponse:
    from akslocal.server.control import CONTROL_KEY_HEADER

    return JSONResponse(
        {"error": {"code": "Unauthorized", "message": f"send the control key in {CONTROL_KEY_HEADER}"}},
        status_code=401,
    )
