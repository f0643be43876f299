"""The edge ASGI app: every piece contributes its routes; the edge only composes them.

Each piece has ``akslocal/<piece>/routes.py`` with ``routes(services) -> list[BaseRoute]``.
Order matters only where paths could overlap: fixed prefixes (``/v1.0``, ``/subscriptions``,
``/clusters``, ``/_akslocal``) come before the identity routes, whose first segment is a tenant.
A piece may also have ``hot_routes(services) -> list[HotRoute]``: plain-ASGI endpoints matched
ahead of Starlette (:mod:`akslocal.server.hotpath`), for the few whose rate matters.
"""

from __future__ import annotations

import importlib
import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from akslocal.server.context import Services
from akslocal.server.hotpath import Edge, HotRoute

log = logging.getLogger("akslocal.server")

# Pieces in routing order; a piece that is not there yet is skipped with a log line.
PIECES = [
    "akslocal.server.control",
    "akslocal.graph.routes",
    "akslocal.arm.routes",
    "akslocal.kube.routes",
    "akslocal.webhook.routes",
    "akslocal.identity.routes",
]


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def build_app(services: Services) -> Edge:
    routes: list[BaseRoute] = [Route("/health", health, methods=["GET"])]
    hot: list[HotRoute] = []
    for name in PIECES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            log.debug("piece %s not present", name)
            continue
        routes.extend(module.routes(services))
        if hasattr(module, "hot_routes"):
            hot.extend(module.hot_routes(services))
    app = Starlette(routes=routes)
    app.state.services = services
    return Edge(app, hot)
