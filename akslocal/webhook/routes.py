"""The webhook's routes on the edge (control plane only; clusters call the webhook in process).

- ``GET /_akslocal/webhook/metrics``: the Prometheus metrics of the in-process webhook.
- ``POST /_akslocal/webhook/explain`` ``{"cluster": <id> | "server": <cluster URL>, "token": …}``:
  each check of the token against that cluster's configuration, the verdict, and the
  bindings that would match (what ``akslocal explain`` prints).

Both need the control key (``X-Akslocal-Control-Key``), as every ``/_akslocal`` route.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from akslocal.server.context import Services

MAX_BODY = 1024 * 1024


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _cluster_id(body: dict[str, Any]) -> str | None:
    cluster = body.get("cluster")
    if isinstance(cluster, str) and cluster:
        return cluster
    server = body.get("server")
    if isinstance(server, str) and "/clusters/" in server:
        return server.split("/clusters/", 1)[1].strip("/").split("/")[0] or None
    return None


def _bindings(services: Services, cluster_id: str) -> list[dict[str, Any]]:
    from akslocal.kube import objects, resources

    found: list[dict[str, Any]] = []
    with services.store.transaction(write=False) as tx:
        for kind in ("ClusterRoleBinding", "RoleBinding"):
            rt = resources.by_kind("rbac.authorization.k8s.io", kind)
            if rt is not None:
                found.extend({**b, "kind": kind} for b in objects.scan(tx, cluster_id, rt))
    return found


def routes(services: Services) -> list[BaseRoute]:
    from akslocal.server.control import is_control_caller

    async def metrics_endpoint(request: Request) -> Response:
        if not is_control_caller(services, request):
            return _error(401, "Unauthorized", "send the control key in X-Akslocal-Control-Key")
        from akslocal.webhook import metrics

        return Response(metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")

    async def explain(request: Request) -> Response:
        if not is_control_caller(services, request):
            return _error(401, "Unauthorized", "send the control key in X-Akslocal-Control-Key")
        raw = await request.body()
        try:
            body = json.loads(raw) if len(raw) <= MAX_BODY else None
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("token"), str):
            return _error(400, "BadRequest", 'expected {"cluster" or "server": …, "token": "<JWT>"}')
        cluster_id = _cluster_id(body)
        from akslocal.kube.provision import auth_from_dict, get_cluster
        from akslocal.webhook.diagnose import diagnose, matching_bindings
        from akslocal.webhook.review import authenticator_for

        record = get_cluster(services, cluster_id) if cluster_id else None
        if record is None:
            return _error(404, "NotFound", f"no cluster {str(cluster_id)[:100]!r}")
        auth = auth_from_dict(record.get("auth") or {"mode": "none"})
        if auth.mode not in ("legacy", "managed"):
            return JSONResponse({"cluster": {"mode": auth.mode}, "checks": [
                {"name": "cluster", "ok": False, "detail": "the cluster has no Entra integration: bearer tokens "
                                                           "are refused (Unauthorized)"}], "status": {}})
        report = await diagnose(authenticator_for(services, auth), body["token"])
        report["cluster"].update(id=cluster_id, name=record.get("name"))
        user = report["status"].get("user")
        if user:
            report["bindings"] = matching_bindings(_bindings(services, cluster_id), user["username"],
                                                   user["groups"])
        return JSONResponse(report)

    return [
        Route("/_akslocal/webhook/metrics", metrics_endpoint, methods=["GET"]),
        Route("/_akslocal/webhook/explain", explain, methods=["POST"]),
    ]
