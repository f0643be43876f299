"""``ad app permission add/grant/admin-consent/list/list-grants``.

``add`` only edits ``requiredResourceAccess`` (and says ``grant`` is needed, as az does).
``grant`` replaces the delegated oauth2PermissionGrant of the client for that API. When no
``--scope`` is given (the AAD Graph era form in the seed), the scopes are the ones the
client requires of that API (``requiredResourceAccess``), else ``user_impersonation``.
``admin-consent`` grants every permission the app requires: delegated ones as an
AllPrincipals grant, application ones as appRoleAssignments. Entra lets only a Global
Administrator do ``grant``/``admin-consent``; akslocal answers 403 otherwise.
"""

from __future__ import annotations

from knack.log import get_logger

from akslocal.cli.ad._resolve import get_application, graph, quote, service_principal_of_app
from akslocal.cli.core.errors import (
    ArgumentUsageError,
    ForbiddenError,
    InvalidArgumentValueError,
    ResourceNotFoundError,
)

logger = get_logger(__name__)

ADMIN_HINT = ("Granting consent needs a Global Administrator of the tenant: sign in as one "
              "(azlocal login -u admin@<tenant domain> -p ...) and run the command again.")


def add_permission(identifier, api, api_permissions):
    """Add an API permission (requiredResourceAccess entry) to an application."""
    client = graph()
    app = get_application(client, identifier)
    accesses = []
    for item in api_permissions:
        permission_id, sep, kind = item.partition("=")
        if not sep or kind not in ("Scope", "Role"):
            raise InvalidArgumentValueError(f"Invalid --api-permissions '{item}': expected <id>=Scope|Role.")
        accesses.append({"id": permission_id, "type": kind})
    required = list(app.get("requiredResourceAccess") or [])
    entry = next((r for r in required if r.get("resourceAppId") == api), None)
    if entry is None:
        entry = {"resourceAppId": api, "resourceAccess": []}
        required.append(entry)
    for access in accesses:
        if access not in entry["resourceAccess"]:
            entry["resourceAccess"].append(access)
    client.patch(f"/applications/{app['id']}", {"requiredResourceAccess": required})
    logger.warning("Invoking `azlocal ad app permission grant --id %s --api %s` is needed to make the "
                   "change effective", identifier, api)


def delete_permission(identifier, api, api_permissions=None):
    """Remove an API permission from an application."""
    client = graph()
    app = get_application(client, identifier)
    required = []
    for entry in app.get("requiredResourceAccess") or []:
        if entry.get("resourceAppId") == api:
            if not api_permissions:
                continue
            entry = dict(entry, resourceAccess=[a for a in entry.get("resourceAccess", [])
                                                if a.get("id") not in api_permissions])
        required.append(entry)
    client.patch(f"/applications/{app['id']}", {"requiredResourceAccess": required})


def list_permissions(identifier):
    """List the API permissions an application requires."""
    return list(get_application(graph(), identifier).get("requiredResourceAccess") or [])


def _required(app: dict, api_app_id: str) -> list[dict]:
    for entry in app.get("requiredResourceAccess") or []:
        if entry.get("resourceAppId", "").lower() == api_app_id.lower():
            return list(entry.get("resourceAccess") or [])
    return []


def _scope_values(resource_sp: dict, accesses: list[dict]) -> list[str]:
    by_id = {s.get("id"): s.get("value") for s in resource_sp.get("oauth2PermissionScopes") or []}
    return [by_id[a["id"]] for a in accesses if a.get("type") == "Scope" and by_id.get(a.get("id"))]


def _consent(call):
    try:
        return call()
    except ForbiddenError as error:
        error.recommendations.append(ADMIN_HINT)
        raise


def grant_permission(identifier, api, scope=None, consent_type="AllPrincipals", principal_id=None, expires=None):
    """Grant the app a delegated permission on an API (an oauth2PermissionGrant)."""
    if consent_type == "Principal" and not principal_id:
        raise ArgumentUsageError("--principal-id is required when --consent-type is Principal")
    client = graph()
    app = get_application(client, identifier)
    client_sp = service_principal_of_app(client, app["appId"], "application")
    resource_sp = service_principal_of_app(client, api, "API")
    scopes = scope.split() if scope else (_scope_values(resource_sp, _required(app, resource_sp["appId"]))
                                          or ["user_impersonation"])
    body = {"clientId": client_sp["id"], "consentType": consent_type, "principalId": principal_id,
            "resourceId": resource_sp["id"], "scope": " ".join(scopes)}

    def write():
        grants = client.list("/oauth2PermissionGrants", filter=f"clientId eq {quote(client_sp['id'])}")
        for grant in grants:
            if grant.get("resourceId") == resource_sp["id"] and grant.get("consentType") == consent_type and \
                    grant.get("principalId") == principal_id:
                client.delete(f"/oauth2PermissionGrants/{grant['id']}")
        created = client.post("/oauth2PermissionGrants", body)
        if isinstance(created, dict):
            created.setdefault("objectId", created.get("id"))  # the AAD Graph era name
        return created

    return _consent(write)


def admin_consent(identifier):
    """Grant tenant-wide admin consent for every permission the application requires.

    akslocal's Graph does it in one call (``POST /applications/{id}/akslocal.adminConsent``,
    standing in for the portal endpoint az calls); against a Graph without it, the same
    grants are written with standard Graph calls.
    """
    from akslocal.cli.core.errors import ServiceError

    client = graph()
    app = get_application(client, identifier)
    try:
        _consent(lambda: client.post(f"/applications/{app['id']}/akslocal.adminConsent", {}))
        return
    except (ServiceError, ResourceNotFoundError) as error:
        if "akslocal.adminConsent" not in error.message and "segment" not in error.message:
            raise
    client_sp = service_principal_of_app(client, app["appId"], "application")

    def write():
        for entry in app.get("requiredResourceAccess") or []:
            resource_sp = service_principal_of_app(client, entry["resourceAppId"], "API")
            accesses = list(entry.get("resourceAccess") or [])
            scopes = _scope_values(resource_sp, accesses)
            if scopes:
                _merge_grant(client, client_sp["id"], resource_sp["id"], scopes)
            roles = [a["id"] for a in accesses if a.get("type") == "Role"]
            if roles:
                assigned = {a.get("appRoleId") for a in client.list(f"/servicePrincipals/{client_sp['id']}"
                                                                    "/appRoleAssignments")
                            if a.get("resourceId") == resource_sp["id"]}
                for role in roles:
                    if role not in assigned:
                        client.post(f"/servicePrincipals/{client_sp['id']}/appRoleAssignments",
                                    {"principalId": client_sp["id"], "resourceId": resource_sp["id"],
                                     "appRoleId": role})

    _consent(write)


def _merge_grant(client, client_sp_id: str, resource_sp_id: str, scopes: list[str]) -> None:
    grants = client.list("/oauth2PermissionGrants", filter=f"clientId eq {quote(client_sp_id)}")
    for grant in grants:
        if grant.get("resourceId") == resource_sp_id and grant.get("consentType") == "AllPrincipals":
            have = (grant.get("scope") or "").split()
            merged = have + [s for s in scopes if s not in have]
            if merged != have:
                client.patch(f"/oauth2PermissionGrants/{grant['id']}", {"scope": " ".join(merged)})
            return
    client.post("/oauth2PermissionGrants", {"clientId": client_sp_id, "consentType": "AllPrincipals",
                                            "principalId": None, "resourceId": resource_sp_id,
                                            "scope": " ".join(scopes)})


def list_grants(identifier=None, show_resource_name=False, filter=None):
    """List the oauth2PermissionGrants of an application (or all, with --filter)."""
    client = graph()
    query = filter
    if identifier:
        from akslocal.cli.ad._resolve import service_principal_id

        query = f"clientId eq {quote(service_principal_id(client, identifier))}"
    grants = client.list("/oauth2PermissionGrants", filter=query)
    if show_resource_name:
        for grant in grants:
            grant["resourceDisplayName"] = client.get(f"/servicePrincipals/{grant['resourceId']}").get("displayName")
    return grants
