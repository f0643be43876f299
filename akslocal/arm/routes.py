"""ARM routes: one case-insensitive dispatch table under ``/subscriptions``, plus ``/tenants`` and metadata.

Handlers only parse, call the domain modules and render; every :class:`ArmError` becomes
``{"error": {...}}`` in :func:`akslocal.arm.http.error_response`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from akslocal.arm import (
    credentials,
    errors,
    lifecycle,
    managed_clusters,
    metadata,
    operations,
    resource_groups,
    role_assignments,
    subscriptions,
    versions,
)
from akslocal.arm.errors import ArmError
from akslocal.arm.http import (
    Call,
    api_version,
    authenticate,
    empty,
    error_response,
    json_body,
    lro_headers,
    ok,
    subscription_for,
)

log = logging.getLogger("akslocal.arm")
Handler = Callable[[Call], Awaitable[Response]]
SUB = r"/subscriptions/(?P<sub>[^/]+)"
RG = SUB + r"/resourcegroups/(?P<rg>[^/]+)"
MC = RG + r"/providers/Microsoft\.ContainerService/managedClusters/(?P<name>[^/]+)"
CS_LOC = SUB + r"/providers/Microsoft\.ContainerService/locations/(?P<loc>[^/]+)"
AUTHZ = r"/providers/Microsoft\.Authorization"
SCOPE = r"(?P<scope>" + SUB + r"(?:/resourcegroups/[^/]+(?:/providers/[^/]+/[^/]+/[^/]+)?)?)"
MC_ACTION = "Microsoft.ContainerService/managedClusters"
RG_ACTION = "Microsoft.Resources/subscriptions/resourceGroups"
TABLE: list[tuple[frozenset[str], re.Pattern, Handler]] = []


def route(methods: str, pattern: str):
    def register(handler: Handler) -> Handler:
        TABLE.append((frozenset(methods.split()), re.compile("^" + pattern + "/?$", re.I), handler))
        return handler
    return register


def _provisioner(call: Call):
    return call.services.extras.get("arm.provisioner") or managed_clusters.default_provisioner()


def _rg_scope(call: Call) -> str:
    return resource_groups.group_id(call.params["sub"], call.params["rg"])


def _mc_scope(call: Call) -> str:
    return f"{_rg_scope(call)}/providers/Microsoft.ContainerService/managedClusters/{call.params['name']}"


def _sub(call: Call, tx, action: str, scope: str | None = None) -> dict:
    return subscription_for(tx, call.caller, call.params["sub"], action, scope, call.services.settings.public_url)


def _read(call: Call):
    return call.services.store.transaction(write=False)


# --- subscriptions, providers, locations -------------------------------------------------------------------------

@route("GET", SUB)
async def get_subscription(call: Call) -> Response:
    with _read(call) as tx:
        return ok(subscriptions.render(_sub(call, tx, "Microsoft.Resources/subscriptions/read")))


@route("GET", SUB + r"/providers")
async def list_providers(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, "Microsoft.Resources/subscriptions/providers/read")
    return ok({"value": [metadata.render_provider(sub["subscriptionId"], ns) for ns in metadata.PROVIDERS]})


@route("GET POST", SUB + r"/providers/(?P<ns>[^/]+)(?P<register>/register)?")
async def get_provider(call: Call) -> Response:
    namespace = metadata.find_provider(call.params["ns"])
    action = f"{namespace or call.params['ns']}/register/action" if call.params.get("register") else \
        "Microsoft.Resources/subscriptions/providers/read"
    if (call.request.method == "POST") != bool(call.params.get("register")):
        raise ArmError(405, "MethodNotAllowed", "The requested method is not allowed for this resource.")
    with _read(call) as tx:
        sub = _sub(call, tx, action)
    if namespace is None:
        raise ArmError(404, "InvalidResourceNamespace",
                       f"The resource namespace '{call.params['ns'][:100]}' is invalid.")
    return ok(metadata.render_provider(sub["subscriptionId"], namespace))


@route("GET", SUB + r"/locations")
async def list_locations(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, "Microsoft.Resources/subscriptions/locations/read")
    return ok({"value": [metadata.render_location(sub["subscriptionId"], loc) for loc in metadata.LOCATIONS]})


@route("GET", CS_LOC + r"/kubernetesVersions")
async def kubernetes_versions(call: Call) -> Response:
    with _read(call) as tx:
        _sub(call, tx, "Microsoft.ContainerService/locations/kubernetesVersions/read")
    resource_groups.normalise_location(call.params["loc"], "location")
    return ok(versions.kubernetes_versions())


@route("GET", CS_LOC + r"/orchestrators")
async def orchestrators(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, "Microsoft.ContainerService/locations/orchestrators/read")
    location = resource_groups.normalise_location(call.params["loc"], "location")
    return ok(versions.orchestrators(sub["subscriptionId"], location))


# --- resource groups --------------------------------------------------------------------------------------------

@route("GET", SUB + r"/resourcegroups")
async def list_groups(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{RG_ACTION}/read")
        docs = resource_groups.list_groups(tx, sub["subscriptionId"])
    return ok({"value": [resource_groups.render(d) for d in docs]})


@route("GET HEAD", RG)
async def get_group(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{RG_ACTION}/read", _rg_scope(call))
        if call.request.method == "HEAD":
            doc = resource_groups.get_group(tx, sub["subscriptionId"], call.params["rg"])
            return empty(204 if doc is not None else 404)
        return ok(resource_groups.render(resource_groups.require_group(tx, sub["subscriptionId"], call.params["rg"])))


@route("PUT", RG)
async def put_group(call: Call) -> Response:
    body = await json_body(call.request)
    with call.services.store.transaction() as tx:
        sub = _sub(call, tx, f"{RG_ACTION}/write", _rg_scope(call))
        doc, created = resource_groups.put_group(tx, sub["subscriptionId"], call.params["rg"], body)
    return ok(resource_groups.render(doc), 201 if created else 200)


@route("PATCH", RG)
async def patch_group(call: Call) -> Response:
    body = await json_body(call.request)
    with call.services.store.transaction() as tx:
        sub = _sub(call, tx, f"{RG_ACTION}/write", _rg_scope(call))
        doc = resource_groups.patch_group(tx, sub["subscriptionId"], call.params["rg"], body)
    return ok(resource_groups.render(doc))


@route("DELETE", RG)
async def delete_group(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{RG_ACTION}/delete", _rg_scope(call))
    op = lifecycle.delete_group(call.services, sub, call.params["rg"], _provisioner(call))
    return empty(202, lro_headers(call.services, op, call.version, async_header=False))


@route("GET", SUB + r"/operationresults/(?P<op>[^/]+)")
async def group_operation_result(call: Call) -> Response:
    with _read(call) as tx:
        _sub(call, tx, "Microsoft.Resources/subscriptions/operationresults/read")
        op = lifecycle.require_operation(tx, call.params["sub"], call.params["op"])
    if op["status"] == operations.IN_PROGRESS:
        return empty(202, lro_headers(call.services, op, call.version, async_header=False))
    if op.get("error"):
        return ok({"error": op["error"]}, 400 if op["error"].get("code") != "InternalOperationError" else 500)
    return empty(200)


# --- managed clusters -------------------------------------------------------------------------------------------

@route("GET", SUB + r"/providers/Microsoft\.ContainerService/managedClusters")
async def list_clusters_in_subscription(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{MC_ACTION}/read")
        docs = managed_clusters.list_in_subscription(tx, sub["subscriptionId"])
    return ok({"value": [managed_clusters.render(d) for d in docs]})


@route("GET", RG + r"/providers/Microsoft\.ContainerService/managedClusters")
async def list_clusters_in_group(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{MC_ACTION}/read", _rg_scope(call))
        group = resource_groups.require_group(tx, sub["subscriptionId"], call.params["rg"])
        docs = managed_clusters.list_in_group(tx, sub["subscriptionId"], group["name"])
    return ok({"value": [managed_clusters.render(d) for d in docs]})


@route("GET", MC)
async def get_cluster(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{MC_ACTION}/read", _mc_scope(call))
        doc = managed_clusters.require_cluster(tx, sub["subscriptionId"], call.params["rg"], call.params["name"])
    return ok(managed_clusters.render(doc))


@route("GET", MC + r"/agentPools(?:/(?P<pool>[^/]+))?")
async def agent_pools(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{MC_ACTION}/agentPools/read", _mc_scope(call))
        doc = managed_clusters.require_cluster(tx, sub["subscriptionId"], call.params["rg"], call.params["name"])
    pools = managed_clusters.render_agent_pools(doc)
    if "pool" not in call.params:
        return ok({"value": pools})
    found = [p for p in pools if p["name"].lower() == call.params["pool"].lower()]
    if not found:
        raise errors.resource_not_found(f"{managed_clusters.TYPE}/{doc['name']}/agentPools", call.params["pool"],
                                        doc["resourceGroup"])
    return ok(found[0])


@route("GET", MC + r"/upgradeProfiles/default")
async def upgrade_profile(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{MC_ACTION}/upgradeProfiles/read", _mc_scope(call))
        doc = managed_clusters.require_cluster(tx, sub["subscriptionId"], call.params["rg"], call.params["name"])
    return ok(managed_clusters.render_upgrade_profile(doc))


@route("PUT", MC)
async def put_cluster(call: Call) -> Response:
    body = await json_body(call.request)
    with _read(call) as tx:
        sub = _sub(call, tx, f"{MC_ACTION}/write", _mc_scope(call))
    doc, created, op = managed_clusters.put_cluster(call.services, sub, call.params["rg"], call.params["name"], body,
                                                    _provisioner(call))
    return ok(managed_clusters.render(doc), 201 if created else 200, lro_headers(call.services, op, call.version))


@route("DELETE", MC)
async def delete_cluster(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{MC_ACTION}/delete", _mc_scope(call))
    op = managed_clusters.delete_cluster(call.services, sub, call.params["rg"], call.params["name"],
                                         _provisioner(call))
    if op is None:
        return empty(204)
    return empty(202, lro_headers(call.services, op, call.version))


@route("POST", MC + r"/resetAADProfile")
async def reset_aad_profile(call: Call) -> Response:
    body = await json_body(call.request)
    with _read(call) as tx:
        sub = _sub(call, tx, f"{MC_ACTION}/resetAADProfile/action", _mc_scope(call))
    op = managed_clusters.reset_aad_profile(call.services, sub, call.params["rg"], call.params["name"], body,
                                            _provisioner(call))
    return empty(202, lro_headers(call.services, op, call.version))


def _cluster_for_credentials(call: Call, action: str) -> tuple[dict, object]:
    with _read(call) as tx:
        sub = _sub(call, tx, f"{MC_ACTION}/{action}/action", _mc_scope(call))
        doc = managed_clusters.require_cluster(tx, sub["subscriptionId"], call.params["rg"], call.params["name"])
    if doc["provisioningState"] in ("Deleting", "Failed"):
        raise errors.bad_request(f"The managed cluster '{doc['name']}' is in provisioning state "
                                 f"'{doc['provisioningState']}'; credentials are not available.")
    return doc, _provisioner(call).cluster_credentials(call.services, doc["kubeClusterId"])


@route("POST", MC + r"/listClusterAdminCredential")
async def admin_credential(call: Call) -> Response:
    doc, creds = _cluster_for_credentials(call, "listClusterAdminCredential")
    return ok(credentials.credential_results("clusterAdmin", credentials.admin_kubeconfig(doc, creds)))


@route("POST", MC + r"/listClusterUserCredential")
async def user_credential(call: Call) -> Response:
    doc, creds = _cluster_for_credentials(call, "listClusterUserCredential")
    settings = call.services.settings
    config = credentials.user_kubeconfig(doc, creds, call.request.query_params.get("format"),
                                         public_url=settings.public_url, ca_path=str(settings.ca_path),
                                         data_dir=str(settings.data_dir))
    return ok(credentials.credential_results("clusterUser", config))


@route("GET", CS_LOC + r"/operations/(?P<op>[^/]+)")
async def operation_status(call: Call) -> Response:
    with _read(call) as tx:
        _sub(call, tx, "Microsoft.ContainerService/locations/operations/read")
        op = lifecycle.require_operation(tx, call.params["sub"], call.params["op"])
    return ok(operations.render(op))


@route("GET", CS_LOC + r"/operationresults/(?P<op>[^/]+)")
async def operation_result(call: Call) -> Response:
    with _read(call) as tx:
        _sub(call, tx, "Microsoft.ContainerService/locations/operationresults/read")
        op = lifecycle.require_operation(tx, call.params["sub"], call.params["op"])
        if op["status"] == operations.IN_PROGRESS:
            return empty(202, lro_headers(call.services, op, call.version))
        if op.get("error"):
            return ok({"error": op["error"]}, 500)
        if op["kind"] == managed_clusters.DELETE:
            return empty(204)
        doc = tx.get(managed_clusters.MANAGED_CLUSTERS, op["resourceKey"])
    return ok(managed_clusters.render(doc)) if doc else empty(204)


# --- role assignments and definitions ---------------------------------------------------------------------------

def _scope_exists(tx, scope: str, subscription_id: str) -> None:
    parts = scope.strip("/").split("/")
    if len(parts) >= 4:
        resource_groups.require_group(tx, subscription_id, parts[3])
    if len(parts) >= 8 and parts[5].lower() == "microsoft.containerservice":
        managed_clusters.require_cluster(tx, subscription_id, parts[3], parts[7])


@route("GET", SCOPE + AUTHZ + r"/roleAssignments")
async def list_role_assignments(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, "Microsoft.Authorization/roleAssignments/read", call.params["scope"])
        query = call.request.query_params.get("$filter") or ""
        principal = re.search(r"principalId\s+eq\s+'([^']+)'", query, re.I)
        docs = role_assignments.list_assignments(tx, sub["subscriptionId"], call.params["scope"],
                                                 principal.group(1) if principal else None,
                                                 at_scope="atscope()" in query.lower().replace(" ", ""))
    return ok({"value": [role_assignments.render_assignment(d) for d in docs]})


@route("GET PUT DELETE", SCOPE + AUTHZ + r"/roleAssignments/(?P<ra>[^/]+)")
async def role_assignment(call: Call) -> Response:
    method, scope = call.request.method, call.params["scope"]
    action = {"GET": "read", "PUT": "write", "DELETE": "delete"}[method]
    body = await json_body(call.request) if method == "PUT" else None
    with call.services.store.transaction(write=method != "GET") as tx:
        sub = _sub(call, tx, f"Microsoft.Authorization/roleAssignments/{action}", scope)
        _scope_exists(tx, scope, sub["subscriptionId"])
        if method == "PUT":
            now = operations.iso(call.services.clock.now())
            doc, created = role_assignments.create_assignment(tx, sub, scope, call.params["ra"], body, now,
                                                              call.caller.object_id)
            return ok(role_assignments.render_assignment(doc), 201 if created else 200)
        doc = role_assignments.get_assignment(tx, call.params["ra"])
        if doc is not None and doc["scope"].lower() != scope.lower():
            doc = None
        if method == "DELETE":
            if doc is None:
                return empty(204)
            role_assignments.delete_assignment(tx, call.params["ra"])
            return ok(role_assignments.render_assignment(doc))
    if doc is None:
        raise ArmError(404, "RoleAssignmentNotFound", "The role assignment does not exist.")
    return ok(role_assignments.render_assignment(doc))


@route("GET", SCOPE + AUTHZ + r"/roleDefinitions")
async def list_role_definitions(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, "Microsoft.Authorization/roleDefinitions/read", call.params["scope"])
    name = re.search(r"roleName\s+eq\s+'([^']*)'", call.request.query_params.get("$filter") or "", re.I)
    return ok({"value": role_assignments.list_role_definitions(sub["subscriptionId"],
                                                               name.group(1) if name else None)})


@route("GET", SCOPE + AUTHZ + r"/roleDefinitions/(?P<rd>[^/]+)")
async def get_role_definition(call: Call) -> Response:
    with _read(call) as tx:
        sub = _sub(call, tx, "Microsoft.Authorization/roleDefinitions/read", call.params["scope"])
    role_id = call.params["rd"].lower()
    if role_id not in role_assignments.ROLE_DEFINITIONS:
        raise ArmError(404, "RoleDefinitionDoesNotExist",
                       f"The specified role definition with ID '{role_id[:64]}' does not exist.")
    return ok(role_assignments.render_role_definition(sub["subscriptionId"], role_id))


# --- the edge ---------------------------------------------------------------------------------------------------

def _services(request: Request):
    return request.app.state.services


async def subscriptions_endpoint(request: Request) -> Response:
    services = _services(request)
    try:
        path = "/" + request.url.path.strip("/")
        for methods, pattern, handler in TABLE:
            match = pattern.match(path)
            if match is None:
                continue
            if request.method not in methods:
                continue
            caller, _ = authenticate(services, request)
            version = api_version(request)
            lifecycle.settle(services)
            params = {k: v for k, v in match.groupdict().items() if v is not None}
            return await handler(Call(request, services, caller, params, version))
        if any(p.match(path) for _, p, _ in TABLE):
            raise ArmError(405, "MethodNotAllowed",
                           f"The requested resource does not support http method '{request.method}'.")
        authenticate(services, request)
        raise ArmError(404, "InvalidResourceType" if "/providers/" in path.lower() else "NotFound",
                       f"The resource path '{path[:200]}' is not supported by akslocal's Resource Manager.")
    except ArmError as exc:
        if request.method == "HEAD":
            return empty(exc.status)
        return error_response(exc)
    except Exception:
        log.exception("ARM request failed: %s %s", request.method, request.url.path)
        return error_response(ArmError(500, "InternalServerError", "The server encountered an internal error."))


async def list_subscriptions(request: Request) -> Response:
    services = _services(request)
    try:
        caller, _ = authenticate(services, request)
        api_version(request)
        with services.store.transaction(write=False) as tx:
            docs = [d for d in subscriptions.list_for_tenant(tx, caller.tenant_id)
                    if role_assignments.has_any_assignment(tx, caller, d["subscriptionId"])]
        value = [subscriptions.render(d) for d in docs]
        return ok({"value": value, "count": {"type": "Total", "value": len(value)}})
    except ArmError as exc:
        return error_response(exc)


async def list_tenants(request: Request) -> Response:
    from akslocal.directory import tenants

    services = _services(request)
    try:
        caller, _ = authenticate(services, request)
        api_version(request)
        with services.store.transaction(write=False) as tx:
            tenant = tenants.get_tenant(tx, caller.tenant_id)
        return ok({"value": [metadata.render_tenant(tenant)] if tenant else []})
    except ArmError as exc:
        return error_response(exc)


async def metadata_endpoints(request: Request) -> Response:
    return JSONResponse(metadata.endpoints(_services(request).settings.public_url))


async def control_subscriptions(request: Request) -> Response:
    """``POST /_akslocal/arm/subscriptions`` {tenantId, displayName, subscriptionId?}: a fixture subscription."""
    from akslocal.directory import tenants
    from akslocal.server.control import is_control_caller

    services = _services(request)
    if not is_control_caller(services, request):
        return JSONResponse({"error": {"code": "Forbidden", "message": "Control key required."}}, status_code=403)
    try:
        body = await json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("displayName", "x"), str):
            raise errors.invalid_content("expected {tenantId, displayName, subscriptionId?}.")
        sub_id = body.get("subscriptionId")
        if sub_id is not None and not subscriptions.is_guid(sub_id):
            raise errors.invalid_parameter("subscriptionId must be a GUID.", "subscriptionId")
        with services.store.transaction() as tx:
            tenant = tenants.resolve_tenant(tx, body.get("tenantId") or "")
            if tenant is None:
                raise errors.invalid_parameter("Unknown tenant.", "tenantId")
            if sub_id and subscriptions.get_subscription(tx, sub_id):
                raise ArmError(409, "Conflict", "The subscription already exists.")
            doc = subscriptions.create_subscription(tx, tenant.id, (body.get("displayName") or "akslocal")[:64],
                                                    services.entropy, sub_id)
        return ok(subscriptions.render(doc), 201)
    except ArmError as exc:
        return error_response(exc)


def routes(services) -> list[BaseRoute]:
    methods = ["GET", "PUT", "PATCH", "DELETE", "POST", "HEAD"]
    return [
        Route("/metadata/endpoints", metadata_endpoints, methods=["GET"]),
        # az cloud register joins '<resourceManager>/' and '/metadata/endpoints' with a double slash.
        Route("//metadata/endpoints", metadata_endpoints, methods=["GET"]),
        Route("/tenants", list_tenants, methods=["GET"]),
        Route("/subscriptions", list_subscriptions, methods=["GET"]),
        Route("/_akslocal/arm/subscriptions", control_subscriptions, methods=["POST"]),
        Route("/subscriptions/{path:path}", subscriptions_endpoint, methods=methods),
    ]
