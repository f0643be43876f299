"""Who may do what: callers, built-in role definitions, role assignments and the access check.

A user of a subscription's tenant is an Owner of that subscription (as the account that
created it would be); a service principal, and anyone else, needs a role assignment at the
scope or above it, to itself or to a group it is a member of.  Actions follow ARM's names
(``Microsoft.ContainerService/managedClusters/read`` …) and role permissions match them with
``*`` wildcards, case-insensitively, minus ``notActions``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from akslocal.arm import errors
from akslocal.arm.kinds import ROLE_ASSIGNMENTS
from akslocal.arm.subscriptions import is_guid

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
AKS_CLUSTER_ADMIN = "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8"
AKS_CLUSTER_USER = "4abbcc35-e782-43d8-92c5-2d3f1bd2253f"

_AUTHZ_WRITES = ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
                 "Microsoft.Authorization/elevateAccess/Action"]
# id -> (roleName, description, actions, notActions)
ROLE_DEFINITIONS: dict[str, tuple[str, str, list[str], list[str]]] = {
    OWNER: ("Owner", "Grants full access to manage all resources, including the ability to assign roles in Azure "
                     "RBAC.", ["*"], []),
    CONTRIBUTOR: ("Contributor", "Grants full access to manage all resources, but does not allow you to assign "
                                 "roles in Azure RBAC.", ["*"], _AUTHZ_WRITES),
    READER: ("Reader", "View all resources, but does not allow you to make any changes.", ["*/read"], []),
    USER_ACCESS_ADMINISTRATOR: ("User Access Administrator", "Lets you manage user access to Azure resources.",
                                ["*/read", "Microsoft.Authorization/*"], []),
    AKS_CLUSTER_ADMIN: ("Azure Kubernetes Service Cluster Admin Role", "List cluster admin credential action.",
                        ["Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
                         "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action",
                         "Microsoft.ContainerService/managedClusters/read"], []),
    AKS_CLUSTER_USER: ("Azure Kubernetes Service Cluster User Role", "List cluster user credential action.",
                       ["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
                        "Microsoft.ContainerService/managedClusters/read"], []),
}
PRINCIPAL_TYPES = ("User", "Group", "ServicePrincipal", "ForeignGroup", "Device")
_ROLE_DEF_ID = re.compile(r"^(?:/subscriptions/[^/]+(?:/.*)?)?/providers/Microsoft\.Authorization/roleDefinitions/"
                          r"([0-9a-fA-F-]{36})$", re.I)


@dataclass(frozen=True)
class Caller:
    """The principal behind a validated Resource Manager access token."""

    object_id: str
    tenant_id: str
    is_user: bool
    display: str  # what AuthorizationFailed names: upn, or the client's app id

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Caller:
        is_user = "scp" in claims or claims.get("idtyp") == "user" or "upn" in claims
        display = claims.get("upn") or claims.get("unique_name") or claims.get("appid") or claims.get("azp") or ""
        return cls(str(claims.get("oid") or claims.get("sub") or ""), str(claims.get("tid") or ""), is_user,
                   str(display))


def _scope_covers(assigned: str, scope: str) -> bool:
    a, s = assigned.rstrip("/").lower(), scope.rstrip("/").lower()
    return a == "" or s == a or s.startswith(a + "/")


def _pattern_matches(pattern: str, action: str) -> bool:
    regex = "^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$"
    return re.match(regex, action, re.I) is not None


def role_allows(role_id: str, action: str) -> bool:
    role = ROLE_DEFINITIONS.get(role_id.lower())
    if role is None:
        return False
    _, _, actions, not_actions = role
    return any(_pattern_matches(p, action) for p in actions) and not any(
        _pattern_matches(p, action) for p in not_actions)


def _principal_ids(tx, caller: Caller) -> list[str]:
    from akslocal.directory import groups

    return [caller.object_id.lower()] + [
        g.lower() for g in groups.transitive_group_ids(tx, caller.tenant_id, caller.object_id)]


def is_tenant_user(tx, caller: Caller) -> bool:
    from akslocal.directory import users

    return caller.is_user and users.get_user(tx, caller.tenant_id, caller.object_id) is not None


def authorize(tx, caller: Caller, subscription_id: str, action: str, scope: str) -> None:
    """Raise 403 ``AuthorizationFailed`` unless ``caller`` may perform ``action`` at ``scope``."""
    if is_tenant_user(tx, caller):
        return
    for record in tx.find_many(ROLE_ASSIGNMENTS, "principal", _principal_ids(tx, caller)):
        doc = record.doc
        if doc["subscriptionId"] == subscription_id and _scope_covers(doc["scope"], scope) and role_allows(
                doc["roleId"], action):
            return
    raise errors.ArmError(
        403, "AuthorizationFailed",
        f"The client '{caller.display or caller.object_id}' with object id '{caller.object_id}' does not have "
        f"authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was "
        "recently granted, please refresh your credentials.")


def has_any_assignment(tx, caller: Caller, subscription_id: str) -> bool:
    return is_tenant_user(tx, caller) or any(
        r.doc["subscriptionId"] == subscription_id for r in tx.find_many(ROLE_ASSIGNMENTS, "principal",
                                                                          _principal_ids(tx, caller)))


def role_definition_id(subscription_id: str, role_id: str) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"


def render_role_definition(subscription_id: str, role_id: str) -> dict[str, Any]:
    name, description, actions, not_actions = ROLE_DEFINITIONS[role_id]
    return {
        "id": role_definition_id(subscription_id, role_id), "name": role_id,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {"roleName": name, "type": "BuiltInRole", "description": description, "assignableScopes": ["/"],
                       "permissions": [{"actions": actions, "notActions": not_actions, "dataActions": [],
                                        "notDataActions": []}],
                       "createdOn": "2015-02-02T21:55:09.8806423Z", "updatedOn": "2021-11-11T20:13:47.8628684Z",
                       "createdBy": None, "updatedBy": None},
    }


def list_role_definitions(subscription_id: str, role_name: str | None = None) -> list[dict[str, Any]]:
    return [render_role_definition(subscription_id, rid) for rid, spec in ROLE_DEFINITIONS.items()
            if role_name is None or spec[0].lower() == role_name.lower()]


def _principal_type(tx, tenant_id: str, principal_id: str) -> str | None:
    from akslocal.directory import groups, service_principals, users

    if users.get_user(tx, tenant_id, principal_id) is not None:
        return "User"
    if service_principals.get_service_principal(tx, tenant_id, principal_id) is not None:
        return "ServicePrincipal"
    if groups.find_group(tx, tenant_id, principal_id) is not None:
        return "Group"
    return None


def create_assignment(tx, subscription: dict, scope: str, name: str, body: Any, now_iso: str,
                      created_by: str) -> tuple[dict, bool]:
    """PUT ``{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`` as ``az role assignment create``
    sends it. Returns (assignment, created)."""
    if not is_guid(name):
        raise errors.ArmError(400, "InvalidRoleAssignmentId",
                              f"The role assignment ID '{name[:100]}' is not valid. The role assignment ID must be a "
                              "GUID.")
    props = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(props, dict):
        raise errors.invalid_content("the 'properties' object is required.")
    role_ref, principal_id = props.get("roleDefinitionId"), props.get("principalId")
    match = _ROLE_DEF_ID.match(role_ref) if isinstance(role_ref, str) else None
    role_id = match.group(1).lower() if match else None
    if role_id not in ROLE_DEFINITIONS:
        raise errors.ArmError(400, "RoleDefinitionDoesNotExist",
                              f"The specified role definition with ID '{str(role_ref)[:200]}' does not exist.")
    tenant_id = subscription["tenantId"]
    actual_type = _principal_type(tx, tenant_id, principal_id) if is_guid(principal_id) else None
    if actual_type is None:
        raise errors.ArmError(400, "PrincipalNotFound",
                              f"Principal {str(principal_id)[:64]} does not exist in the directory {tenant_id}. Check "
                              "that you have the correct principal ID.")
    principal_type = props.get("principalType")
    if principal_type is not None and principal_type not in PRINCIPAL_TYPES:
        raise errors.invalid_parameter(f"The principalType '{str(principal_type)[:40]}' is not valid.",
                                       "principalType")
    if principal_type is not None and principal_type != actual_type:
        raise errors.ArmError(400, "UnmatchedPrincipalType",
                              f"The PrincipalId '{principal_id}' has type '{actual_type}', which is different from "
                              f"specified PrincipalType '{principal_type}'.")
    principal_type = actual_type
    principal_id = principal_id.lower()
    existing = tx.get(ROLE_ASSIGNMENTS, name.lower())
    for r in tx.find(ROLE_ASSIGNMENTS, "principal", principal_id):
        d = r.doc
        if r.key != name.lower() and d["roleId"] == role_id and d["scope"].lower() == scope.lower():
            raise errors.ArmError(409, "RoleAssignmentExists", "The role assignment already exists.")
    doc = {
        "name": name.lower(), "scope": scope, "subscriptionId": subscription["subscriptionId"],
        "roleId": role_id, "roleDefinitionId": role_definition_id(subscription["subscriptionId"], role_id),
        "principalId": principal_id, "principalType": principal_type,
        "description": props.get("description") if isinstance(props.get("description"), str) else None,
        "createdOn": existing["createdOn"] if existing else now_iso, "updatedOn": now_iso,
        "createdBy": existing["createdBy"] if existing else created_by, "updatedBy": created_by,
    }
    tx.put(ROLE_ASSIGNMENTS, name.lower(), doc)
    return doc, existing is None


def get_assignment(tx, name: str) -> dict | None:
    return tx.get(ROLE_ASSIGNMENTS, name.lower()) if is_guid(name) else None


def delete_assignment(tx, name: str) -> dict | None:
    doc = get_assignment(tx, name)
    if doc is not None:
        tx.delete(ROLE_ASSIGNMENTS, name.lower())
    return doc


def list_assignments(tx, subscription_id: str, scope: str, principal_id: str | None = None,
                     at_scope: bool = False) -> list[dict]:
    docs = [r.doc for r in tx.find(ROLE_ASSIGNMENTS, "subscription", subscription_id)]
    out = []
    for d in docs:
        if principal_id and d["principalId"] != principal_id.lower():
            continue
        above = _scope_covers(d["scope"], scope)
        below = _scope_covers(scope, d["scope"])
        if above or (below and not at_scope):
            out.append(d)
    return sorted(out, key=lambda d: d["createdOn"])


def delete_under(tx, subscription_id: str, scope: str) -> None:
    """Assignments at or below a deleted resource go with it."""
    for r in tx.find(ROLE_ASSIGNMENTS, "subscription", subscription_id):
        if _scope_covers(scope, r.doc["scope"]):
            tx.delete(ROLE_ASSIGNMENTS, r.key)


def render_assignment(doc: dict) -> dict[str, Any]:
    return {
        "id": f"{doc['scope'].rstrip('/')}/providers/Microsoft.Authorization/roleAssignments/{doc['name']}",
        "name": doc["name"], "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": doc["roleDefinitionId"], "principalId": doc["principalId"],
            "principalType": doc["principalType"], "scope": doc["scope"], "condition": None,
            "conditionVersion": None, "createdOn": doc["createdOn"], "updatedOn": doc["updatedOn"],
            "createdBy": doc["createdBy"], "updatedBy": doc["updatedBy"],
            "delegatedManagedIdentityResourceId": None, "description": doc["description"],
        },
    }
