"""Microsoft Graph v1.0 over HTTP: one catch-all route and a case-insensitive dispatcher.

Graph treats path segments case-insensitively (the az CLI deletes ``/oAuth2PermissionGrants/{id}``),
so paths are matched here rather than by Starlette's case-sensitive router.  Each request:
bearer token (identity's ``verify_bearer``), one store transaction, a handler, Graph's shapes.
"""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from akslocal.directory.errors import DirectoryError
from akslocal.graph import applications, directory_objects, grants, groups, users
from akslocal.graph.authz import caller_from_claims
from akslocal.graph.errors import GraphError, bad_request, render
from akslocal.graph.request import Ctx
from akslocal.server.context import Services
from akslocal.store import StoreError

log = logging.getLogger("akslocal.graph")
MAX_BODY = 1024 * 1024
ROUTES = [*users.ROUTES, *groups.ROUTES, *directory_objects.ROUTES, *applications.ROUTES, *grants.ROUTES]


def graph_audiences(services: Services) -> list[str]:
    return [
        "https://graph.microsoft.com",
        "https://graph.microsoft.com/",
        "00000003-0000-0000-c000-000000000000",
        services.settings.public_url + "/",
    ]


def _match(method: str, path: str):
    found_path = False
    for r in ROUTES:
        m = r.pattern.match(path)
        if m:
            found_path = True
            if r.method == method:
                return r, m.groupdict()
    if found_path:
        raise GraphError(405, "Request_BadRequest", f"The HTTP method '{method}' is not allowed for this resource.")
    segment = path.split("/")[-1] if path else ""
    raise bad_request(f"Resource not found for the segment '{segment[:100]}'.")


async def _body(request: Request) -> dict | None:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise GraphError(413, "Request_EntityTooLarge", "The request body is larger than 1 MB.")
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of "
            "valid JSON format."
        ) from None
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.")
    return data


def routes(services: Services) -> list[BaseRoute]:
    from akslocal.identity.bearer import BearerError, verify_bearer

    audiences = graph_audiences(services)

    async def dispatch(request: Request) -> Response:
        client_request_id = request.headers.get("client-request-id")
        try:
            path = request.path_params.get("path", "").strip("/")
            handler_route, args = _match(request.method, path)
            try:
                claims = verify_bearer(services, request.headers.get("authorization"), audiences)
            except BearerError as exc:
                raise GraphError(exc.status, "InvalidAuthenticationToken", exc.message) from None
            body = await _body(request) if request.method in ("POST", "PATCH", "PUT") else None
            with services.store.transaction(write=handler_route.write) as tx:
                ctx = Ctx(
                    services=services,
                    tx=tx,
                    caller=caller_from_claims(tx, claims),
                    path=request.url.path,
                    params=list(request.query_params.multi_items()),
                    headers={k.lower(): v for k, v in request.headers.items()},
                    body=body,
                )
                result = handler_route.handler(ctx, **args)
            headers = {"client-request-id": client_request_id} if client_request_id else {}
            headers.update(ctx.response_headers)
            if result is None:
                return Response(status_code=204, headers=headers)
            if isinstance(result, Response):
                return result
            return JSONResponse(result, status_code=ctx.status, headers=headers)
        except GraphError as exc:
            return render(exc, now=services.clock.now(), client_request_id=client_request_id)
        except DirectoryError as exc:
            return render(
                GraphError(exc.status, exc.code, exc.message),
                now=services.clock.now(),
                client_request_id=client_request_id,
            )
        except StoreError as exc:  # a concurrent writer won a race for a unique key
            log.info("graph store conflict: %s", exc)
            return render(
                GraphError(
                    409, "Request_MultipleObjectsWithSameKeyValue", "Another object changed it at the same time; retry."
                ),
                now=services.clock.now(),
                client_request_id=client_request_id,
            )

    return [Route("/v1.0/{path:path}", dispatch, methods=["GET", "POST", "PATCH", "PUT", "DELETE"])]
