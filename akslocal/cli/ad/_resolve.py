"""Identifier resolution as today's az does it (CLI-G): appId, identifier URI, display name or object id."""

from __future__ import annotations

import re
from urllib.parse import quote as url_quote

from akslocal.cli.core.errors import ResourceNotFoundError
from akslocal.cli.core.rest import GraphClient

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def is_guid(value: str) -> bool:
    return bool(_GUID.match(value or ""))


def quote(value: str) -> str:
    """An OData string literal (a quote doubles)."""
    return "'" + value.replace("'", "''") + "'"


def and_filter(*clauses):
    """The OData filter that joins the given clauses with ``and`` (empty ones skipped); None when none is left."""
    return " and ".join(c for c in clauses if c) or None


def segment(value: str) -> str:
    """A user-given identifier as one URL path segment (``../`` or ``?`` cannot reach another resource)."""
    return url_quote(value, safe="@")


def graph():
    from akslocal.cli.app import session

    return GraphClient(session())


def application_id(client: GraphClient, identifier: str) -> str:
    """The object id of the application named by appId, object id or identifier URI."""
    if is_guid(identifier):
        found = client.list("/applications", filter=f"appId eq {quote(identifier)}")
        return found[0]["id"] if found else identifier
    found = client.list("/applications", filter=f"identifierUris/any(s:s eq {quote(identifier)})")
    if not found:
        raise ResourceNotFoundError(f"Application with identifier URI '{identifier}' doesn't exist")
    return found[0]["id"]


def get_application(client: GraphClient, identifier: str) -> dict:
    # an unknown GUID is looked up as an object id; Graph's own 404 message is what az prints
    return client.get(f"/applications/{application_id(client, identifier)}")


def service_principal_id(client: GraphClient, identifier: str) -> str:
    found = client.list("/servicePrincipals", filter=f"servicePrincipalNames/any(c:c eq {quote(identifier)})")
    if found:
        return found[0]["id"]
    if is_guid(identifier):
        return identifier
    raise ResourceNotFoundError(f"Service principal '{identifier}' doesn't exist")


def get_service_principal(client: GraphClient, identifier: str) -> dict:
    return client.get(f"/servicePrincipals/{service_principal_id(client, identifier)}")


def service_principal_of_app(client: GraphClient, app_id: str, what: str) -> dict:
    found = client.list("/servicePrincipals", filter=f"appId eq {quote(app_id)}")
    if not found:
        found = client.list("/servicePrincipals", filter=f"servicePrincipalNames/any(c:c eq {quote(app_id)})")
    if not found:
        raise ResourceNotFoundError(
            f"The {what} '{app_id}' has no service principal in this tenant. Create it first: "
            f"azlocal ad sp create --id {app_id}")
    return found[0]


def user_id(client: GraphClient, identifier: str) -> str:
    if is_guid(identifier):
        return identifier
    return client.get(f"/users/{segment(identifier)}")["id"]


def group_id(client: GraphClient, identifier: str) -> str:
    if is_guid(identifier):
        return identifier
    found = client.list("/groups", filter=f"displayName eq {quote(identifier)}")
    if not found:
        raise ResourceNotFoundError(f"Group '{identifier}' doesn't exist")
    if len(found) > 1:
        from akslocal.cli.core.errors import AzLocalError

        raise AzLocalError(f"More than one group has the display name '{identifier}'; use the object id.")
    return found[0]["id"]
