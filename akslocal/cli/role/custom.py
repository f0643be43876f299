"""Azure RBAC role assignments over Resource Manager (``Microsoft.Authorization``), as az does them.

The assignee is resolved through Graph (user UPN, service principal name/appId, or an
object id); the role through ``roleDefinitions?$filter=roleName eq '…'`` at the scope.
"""

from __future__ import annotations

import uuid

from akslocal.cli.ad._resolve import is_guid, quote, segment
from akslocal.cli.core.errors import ArgumentUsageError, AzLocalError, ResourceNotFoundError
from akslocal.cli.core.rest import ARM_API, ArmClient, GraphClient

API = ARM_API["roleAssignments"]
AUTH = "providers/Microsoft.Authorization"


def _clients():
    from akslocal.cli.app import session

    return ArmClient(session()), GraphClient(session())


def _scope(arm: ArmClient, scope: str | None, resource_group: str | None) -> str:
    if scope and resource_group:
        raise ArgumentUsageError("Resource group cannot be specified together with scope")
    if scope:
        return scope.rstrip("/")
    if resource_group:
        return f"/subscriptions/{arm.subscription}/resourceGroups/{resource_group}"
    return f"/subscriptions/{arm.subscription}"


def _role_id(arm: ArmClient, scope: str, role: str) -> str:
    if is_guid(role):
        return f"/subscriptions/{arm.subscription}/{AUTH}/roleDefinitions/{role}"
    if role.startswith("/"):
        return role
    response = arm.request("GET", f"{scope}/{AUTH}/roleDefinitions", API,
                           params={"$filter": f"roleName eq {quote(role)}"})
    found = [d for d in (response.json() or {}).get("value", [])
             if str((d.get("properties") or {}).get("roleName", "")).lower() == role.lower()]
    if not found:
        raise AzLocalError(f"Role '{role}' doesn't exist.")
    return found[0]["id"]


def _principal(graph: GraphClient, assignee: str) -> tuple[str, str]:
    if "@" in assignee:
        try:
            return graph.get(f"/users/{segment(assignee)}")["id"], "User"
        except ResourceNotFoundError:
            pass
    found = graph.list("/servicePrincipals", filter=f"servicePrincipalNames/any(c:c eq {quote(assignee)})")
    if found:
        return found[0]["id"], "ServicePrincipal"
    if is_guid(assignee):
        try:
            obj = graph.get(f"/directoryObjects/{assignee}")
            kind = str(obj.get("@odata.type", "#microsoft.graph.user")).rsplit(".", 1)[-1]
            return assignee, kind[:1].upper() + kind[1:]
        except ResourceNotFoundError:
            pass
    raise AzLocalError(f"Cannot find user or service principal in graph database for '{assignee}'. If the assignee "
                       "is an appId, make sure the corresponding service principal is created with 'azlocal ad sp "
                       "create --id {assignee}'.")


def _flatten(assignment: dict) -> dict:
    """The SDK model as az prints it: properties at the root, ``systemData``, and ``resourceGroup`` from the id."""
    from akslocal.cli.aks._format import resource_group_of

    flat = {k: v for k, v in assignment.items() if k != "properties"}
    flat.update(assignment.get("properties") or {})
    flat.setdefault("systemData", None)
    group = resource_group_of(flat.get("id", ""))
    if group:
        flat.setdefault("resourceGroup", group)
    return flat


def create_role_assignment(role, assignee=None, assignee_object_id=None, assignee_principal_type=None, scope=None,
                           resource_group=None, description=None):
    """Create a new role assignment for a user, group, or service principal."""
    if bool(assignee) == bool(assignee_object_id):
        raise ArgumentUsageError("usage error: --assignee STRING | --assignee-object-id GUID")
    arm, graph = _clients()
    target = _scope(arm, scope, resource_group)
    if assignee_object_id:
        principal_id, principal_type = assignee_object_id, assignee_principal_type or "User"
    else:
        principal_id, principal_type = _principal(graph, assignee)
    properties = {"roleDefinitionId": _role_id(arm, target, role), "principalId": principal_id,
                  "principalType": principal_type}
    if description:
        properties["description"] = description
    name = str(uuid.uuid4())  # the client names a new assignment, as az does
    response = arm.request("PUT", f"{target}/{AUTH}/roleAssignments/{name}", API, json={"properties": properties})
    return _flatten(response.json())


def list_role_assignments(assignee=None, role=None, scope=None, resource_group=None, all=False):
    """List role assignments (at the subscription, a resource group or a scope)."""
    arm, graph = _clients()
    target = f"/subscriptions/{arm.subscription}" if all else _scope(arm, scope, resource_group)
    items = [_flatten(a) for a in arm.list(f"{target}/{AUTH}/roleAssignments", API)]
    if not all and not scope and not resource_group:
        items = [a for a in items if a.get("scope", "").lower() == target.lower()] or items
    if assignee:
        principal_id = _principal(graph, assignee)[0]
        items = [a for a in items if a.get("principalId") == principal_id]
    if role:
        role_id = _role_id(arm, target, role).lower()
        items = [a for a in items if a.get("roleDefinitionId", "").lower().endswith(role_id.rsplit("/", 1)[-1])]
    _backfill_names(arm, graph, items)
    return items


def _backfill_names(arm: ArmClient, graph: GraphClient, items: list[dict]) -> None:
    """az shows ``principalName`` and ``roleDefinitionName`` beside the ids."""
    roles: dict[str, str | None] = {}
    for item in items:
        role_id = item.get("roleDefinitionId", "")
        if role_id not in roles:
            try:
                roles[role_id] = (arm.get(role_id, API) or {}).get("properties", {}).get("roleName")
            except AzLocalError:
                roles[role_id] = None
        item["roleDefinitionName"] = roles[role_id]
    ids = sorted({i["principalId"] for i in items if i.get("principalId")})
    names: dict[str, str] = {}
    if ids:
        try:
            found = graph.post("/directoryObjects/getByIds", {"ids": ids}).get("value", [])
        except AzLocalError:
            found = []
        for obj in found:
            names[obj["id"]] = obj.get("userPrincipalName") or (obj.get("servicePrincipalNames") or [None])[0] \
                or obj.get("displayName")
    for item in items:
        item["principalName"] = names.get(item.get("principalId"), "")


def delete_role_assignments(ids=None, assignee=None, role=None, scope=None, resource_group=None):
    """Delete role assignments (by id, or by assignee/role/scope)."""
    arm, _ = _clients()
    if ids:
        if assignee or role or scope or resource_group:
            raise ArgumentUsageError("usage error: --ids | --assignee --role --scope")
        for assignment_id in ids:
            arm.request("DELETE", assignment_id, API)
        return
    if not (assignee or role or scope or resource_group):
        raise ArgumentUsageError("Please provide at least one of --ids, --assignee, --role or --scope.")
    for assignment in list_role_assignments(assignee=assignee, role=role, scope=scope, resource_group=resource_group):
        arm.request("DELETE", assignment["id"], API)
