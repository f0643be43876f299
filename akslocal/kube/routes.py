"""HTTP surface of every cluster, under ``/clusters/{cluster_id}``: parse, call, render.

Also a control route for tests and local use: ``POST /_akslocal/clusters`` (control key)
provisions a cluster without going through ARM.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from akslocal.kube import authz, discovery, provision
from akslocal.kube.authn import authenticate, impersonated_user, impersonation_requests
from akslocal.kube.body import read_body
from akslocal.kube.errors import KubeStatus, method_not_allowed
from akslocal.kube.handlers import ResourceHandler
from akslocal.kube.rbac_types import Attributes, UserInfo
from akslocal.kube.requestinfo import RequestInfo, parse_request
from akslocal.server.context import Services

log = logging.getLogger("akslocal.kube")
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
_NOT_FOUND = KubeStatus(404, "NotFound", "the server could not find the requested resource", {})
_HEALTH = ("/healthz", "/livez", "/readyz")


def render_status(err: KubeStatus) -> Response:
    return JSONResponse(err.body(), status_code=err.code)


def json_response(doc: Any, status: int = 200, content_type: str = "application/json",
                  headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type=content_type, headers=headers)


async def _impersonate(services: Services, cluster_id: str, request: Request, user: UserInfo) -> UserInfo:
    name, groups, uid, extra = impersonation_requests(request.headers)
    if name is None and not groups and uid is None and not extra:
        return user
    if name is None:
        raise KubeStatus(500, "InternalError",
                         "Internal error occurred: requested [" + ", ".join(f"{{Group {g}}}" for g in groups)
                         + "] without impersonating a user")
    from akslocal.kube.rbac_types import SERVICE_ACCOUNT_USERNAME_PREFIX

    checks: list[Attributes] = []
    if name.startswith(SERVICE_ACCOUNT_USERNAME_PREFIX) and len(name.split(":")) == 4:
        _s, _sa, ns, sa = name.split(":")
        checks.append(Attributes(user=user, verb="impersonate", resource="serviceaccounts", namespace=ns, name=sa))
    else:
        checks.append(Attributes(user=user, verb="impersonate", resource="users", name=name))
    checks.extend(Attributes(user=user, verb="impersonate", resource="groups", name=g) for g in groups)
    if uid is not None:
        checks.append(Attributes(user=user, verb="impersonate", api_group="authentication.k8s.io",
                                 resource="uids", name=uid))
    for key, values in extra.items():
        checks.extend(Attributes(user=user, verb="impersonate", api_group="authentication.k8s.io",
                                 resource="userextras", subresource=key, name=v) for v in values)
    for attrs in checks:
        decision = authz.authorize_in(services, cluster_id, attrs)
        if not decision.allowed:
            raise authz.forbidden_status(attrs, decision.reason)
    return impersonated_user(name, groups, uid, extra)


def _with_etag(request: Request, doc: Any, content_type: str) -> Response:
    """Aggregated discovery with an ETag; kubectl revalidates with If-None-Match and takes 304."""
    import hashlib

    body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32].upper() + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache, private", "Vary": "Accept"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=content_type, headers=headers)


def _wants_aggregated(accept: str) -> str | None:
    for part in accept.split(","):
        p = part.replace(" ", "")
        if "as=APIGroupDiscoveryList" in p and "g=apidiscovery.k8s.io" in p:
            if "v=v2beta1" in p:
                return "v2beta1"
            if "v=v2" in p:
                return "v2"
    return None


def _non_resource(services: Services, cluster: dict[str, Any], request: Request, path: str) -> Response:
    version = cluster["kubernetesVersion"]
    if request.method not in ("GET", "HEAD"):
        raise method_not_allowed()
    accept = request.headers.get("accept", "")
    no_cache = {"Cache-Control": "no-cache, private"}
    if path in ("/api", "/apis"):
        agg = _wants_aggregated(accept)
        if agg:
            ctype = discovery.AGGREGATED_V2 if agg == "v2" else discovery.AGGREGATED_V2BETA1
            return _with_etag(request, discovery.aggregated(path == "/api", agg), ctype)
        return json_response(discovery.api_versions() if path == "/api" else discovery.api_group_list())
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "api":
        doc = discovery.resource_list("", parts[1])
        return json_response(doc) if doc else render_status(_NOT_FOUND)
    if len(parts) == 2 and parts[0] == "apis":
        doc = discovery.api_group(parts[1])
        return json_response(doc) if doc else render_status(_NOT_FOUND)
    if len(parts) == 3 and parts[0] == "apis":
        doc = discovery.resource_list(parts[1], parts[2])
        return json_response(doc) if doc else render_status(_NOT_FOUND)
    if path in ("/version", "/version/"):
        return json_response(discovery.version_info(version))
    if path in _HEALTH or any(path.startswith(h + "/") for h in _HEALTH):
        return Response(b"ok", media_type="text/plain; charset=utf-8")
    if path in ("/openapi/v3", "/openapi/v3/"):
        return json_response(discovery.openapi_v3_index(version), headers=no_cache)
    if path.startswith("/openapi/v3/"):
        rel = path[len("/openapi/v3/"):].split("/")
        doc = None
        if len(rel) == 2 and rel[0] == "api":
            doc = discovery.openapi_v3_document("", rel[1], version)
        elif len(rel) == 3 and rel[0] == "apis":
            doc = discovery.openapi_v3_document(rel[1], rel[2], version)
        if doc is None:
            return render_status(_NOT_FOUND)
        return json_response(doc, headers={"Cache-Control": "public, immutable"})
    return render_status(_NOT_FOUND)


def routes(services: Services) -> list[BaseRoute]:
    handler = ResourceHandler(services)

    async def cluster_request(request: Request) -> Response:
        cluster_id = request.path_params["cluster_id"]
        path = "/" + request.path_params.get("path", "")
        try:
            cluster = provision.get_cluster(services, cluster_id)
            if cluster is None:
                return render_status(_NOT_FOUND)
            from akslocal.server.tls import client_cert_der

            user = await authenticate(services, cluster, client_cert_der(request.scope),
                                      request.headers.get("authorization"))
            user = await _impersonate(services, cluster_id, request, user)
            query = dict(parse_qsl(request.url.query, keep_blank_values=True))
            info = parse_request(request.method, path, query)
            attrs = _attributes(user, info)
            decision = authz.authorize_in(services, cluster_id, attrs)
            if not decision.allowed:
                raise authz.forbidden_status(attrs, decision.reason)
            if not info.is_resource_request:
                return _non_resource(services, cluster, request, path)
            body = await read_body(request) if request.method in ("POST", "PUT", "PATCH", "DELETE") else None
            return await handler.handle(request, cluster, user, info, query, body)
        except KubeStatus as err:
            return render_status(err)
        except Exception:  # never a bare 500 page: an InternalError Status, and a log line
            log.exception("kube request failed: %s %s", request.method, path)
            return render_status(KubeStatus(500, "InternalError", "Internal error occurred: unexpected error"))

    async def control_clusters(request: Request) -> Response:
        from akslocal.server.control import is_control_caller

        if not is_control_caller(services, request):
            return JSONResponse({"error": {"code": "Unauthorized", "message": "control key required"}},
                                status_code=401)
        try:
            body = await request.json()
            auth = provision.ClusterAuth(**(body.get("auth") or {"mode": "none"}))
            spec = provision.ClusterSpec(
                cluster_id=str(body["clusterId"]), name=str(body.get("name", body["clusterId"])),
                resource_group=str(body.get("resourceGroup", "akslocal")),
                kubernetes_version=str(body.get("kubernetesVersion", "1.32.4")),
                node_count=int(body.get("nodeCount", 3)), auth=auth,
                admin_group_ids=tuple(body.get("adminGroupIds") or ()),
                local_accounts=bool(body.get("localAccounts", True)))
            if not spec.cluster_id.replace("-", "").isalnum() or len(spec.cluster_id) > 64 or not (
                    0 <= spec.node_count <= 100):
                raise ValueError("bad cluster id or node count")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return JSONResponse({"error": {"code": "BadRequest", "message": str(exc)}}, status_code=400)
        creds = provision.provision_cluster(services, spec)
        return JSONResponse({"serverUrl": creds.server_url, "caPem": creds.ca_pem, "adminCertPem": creds.admin_cert_pem,
                             "adminKeyPem": creds.admin_key_pem, "adminToken": creds.admin_token}, status_code=201)

    async def control_cluster(request: Request) -> Response:
        from akslocal.server.control import is_control_caller

        if not is_control_caller(services, request):
            return JSONResponse({"error": {"code": "Unauthorized", "message": "control key required"}},
                                status_code=401)
        cluster_id = request.path_params["cluster_id"]
        if request.method == "DELETE":
            provision.delete_cluster(services, cluster_id)
            return Response(status_code=204)
        try:
            body = await request.json()
            kwargs: dict[str, Any] = {}
            if "auth" in body:
                kwargs["auth"] = provision.ClusterAuth(**body["auth"])
            if "adminGroupIds" in body:
                kwargs["admin_group_ids"] = tuple(body["adminGroupIds"])
            if "localAccounts" in body:
                kwargs["local_accounts"] = bool(body["localAccounts"])
            if "nodeCount" in body:
                kwargs["node_count"] = int(body["nodeCount"])
            provision.update_cluster(services, cluster_id, **kwargs)
        except provision.ClusterNotFound:
            return JSONResponse({"error": {"code": "NotFound", "message": cluster_id}}, status_code=404)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return JSONResponse({"error": {"code": "BadRequest", "message": str(exc)}}, status_code=400)
        return Response(status_code=204)

    return [
        Route("/_akslocal/clusters", control_clusters, methods=["POST"]),
        Route("/_akslocal/clusters/{cluster_id}", control_cluster, methods=["PATCH", "DELETE"]),
        Route("/clusters/{cluster_id}", cluster_request, methods=METHODS),
        Route("/clusters/{cluster_id}/{path:path}", cluster_request, methods=METHODS),
    ]


def _attributes(user: UserInfo, info: RequestInfo) -> Attributes:
    if not info.is_resource_request:
        return Attributes(user=user, verb=info.verb, path=info.path, is_resource_request=False)
    return Attributes(user=user, verb=info.verb, namespace=info.namespace, api_group=info.api_group,
                      resource=info.resource, subresource=info.subresource, name=info.name, path=info.path)


__all__ = ["render_status", "routes"]
