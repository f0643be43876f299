"""``ad sp create/show/list/delete`` and ``ad sp credential reset/list``.

``credential reset`` accepts the AAD Graph era form (``--name X --credential-description
D``, output with ``name``) and today's (``--id X --display-name D``). Both add a password
through Graph's ``addPassword`` on the service principal and print az's warning.
"""

from __future__ import annotations

import datetime

from knack.log import get_logger

from akslocal.cli.ad import _format
from akslocal.cli.ad._resolve import and_filter, get_service_principal, graph, is_guid, quote, service_principal_id
from akslocal.cli.core.errors import ArgumentUsageError, RequiredArgumentMissingError

logger = get_logger(__name__)

CREDENTIAL_WARNING = (
    "The output includes credentials that you must protect. Be sure that you do not include these credentials in "
    "your code or check the credentials into your source control. For more information, see https://aka.ms/azadsp-cli")


def create_service_principal(identifier):
    """Create a service principal for an application (by appId or identifier URI)."""
    client = graph()
    if is_guid(identifier):
        found = client.list("/applications", filter=f"appId eq {quote(identifier)}")
        if not found:
            found = [a for a in [_by_object_id(client, identifier)] if a]
    else:
        found = client.list("/applications", filter=f"identifierUris/any(s:s eq {quote(identifier)})")
    app_id = found[0]["appId"] if found else identifier
    created = client.post("/servicePrincipals", {"appId": app_id, "accountEnabled": True})
    return _format.service_principal(created)


def _by_object_id(client, object_id):
    from akslocal.cli.core.errors import ResourceNotFoundError

    try:
        return client.get(f"/applications/{object_id}")
    except ResourceNotFoundError:
        return None


def show_service_principal(identifier):
    """Get the details of a service principal (by appId, servicePrincipalName or object id)."""
    return _format.service_principal(get_service_principal(graph(), identifier))


def list_service_principals(display_name=None, spn=None, filter=None, show_mine=False, all=False):
    """List service principals."""
    filters = and_filter(
        display_name and f"startswith(displayName,{quote(display_name)})",
        spn and f"servicePrincipalNames/any(c:c eq {quote(spn)})",
        filter,
    )
    path = "/me/ownedObjects/microsoft.graph.servicePrincipal" if show_mine else "/servicePrincipals"
    return [_format.service_principal(s) for s in graph().list(path, filter=filters)]


def delete_service_principal(identifier):
    """Delete a service principal."""
    client = graph()
    client.delete(f"/servicePrincipals/{service_principal_id(client, identifier)}")


def _end(years, end_date, start: datetime.datetime) -> datetime.datetime:
    if end_date:
        try:
            parsed = datetime.datetime.fromisoformat(end_date.replace("Z", "+00:00"))
        except ValueError as error:
            raise ArgumentUsageError(f"--end-date: '{end_date}' is not an ISO 8601 date.") from error
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)
    return start.replace(year=start.year + int(years or 1))


def add_password(client, collection: str, obj: dict, display_name, years, end_date, append) -> str:
    """Graph's addPassword (after removePassword of the others unless ``append``); returns the new secret."""
    if not append:
        for credential in obj.get("passwordCredentials") or []:
            client.post(f"/{collection}/{obj['id']}/removePassword", {"keyId": credential["keyId"]})
    start = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    body = {"passwordCredential": {
        "displayName": display_name,
        "startDateTime": start.isoformat().replace("+00:00", "Z"),
        "endDateTime": _end(years, end_date, start).isoformat().replace("+00:00", "Z"),
    }}
    return client.post(f"/{collection}/{obj['id']}/addPassword", body)["secretText"]


def reset_app_credential(identifier, display_name=None, years=None, end_date=None, append=False, cert=None,
                         create_cert=False):
    """Reset an application's password credential; the new secret is shown once."""
    from akslocal.cli.ad._resolve import get_application
    from akslocal.cli.app import session

    if cert or create_cert:
        raise ArgumentUsageError("Certificate credentials are not supported by azlocal.")
    if years and end_date:
        raise ArgumentUsageError("usage error: --years | --end-date")
    client = graph()
    app = get_application(client, identifier)
    secret = add_password(client, "applications", app, display_name, years, end_date, append)
    logger.warning(CREDENTIAL_WARNING)
    return {"appId": app["appId"], "password": secret, "tenant": session().current()["tenantId"]}


def list_app_credentials(identifier, cert=False):
    """List an application's password (or certificate) credentials, without their secrets."""
    from akslocal.cli.ad._resolve import get_application

    app = get_application(graph(), identifier)
    return list(app.get("keyCredentials" if cert else "passwordCredentials") or [])


def reset_credential(identifier=None, name=None, display_name=None, credential_description=None, years=None,
                     end_date=None, append=False, password=None, cert=None, create_cert=False):
    """Reset a service principal's password credential; the new secret is shown once."""
    target = identifier or name
    if not target:
        raise RequiredArgumentMissingError("the following arguments are required: --id")
    if password is not None:
        raise ArgumentUsageError("--password is not supported: Microsoft Graph generates the secret. Omit it.")
    if cert or create_cert:
        raise ArgumentUsageError("Certificate credentials are not supported by azlocal.")
    if years and end_date:
        raise ArgumentUsageError("usage error: --years | --end-date")
    client = graph()
    if name and not identifier:  # the AAD Graph era also found a service principal by its display name
        by_name = client.list("/servicePrincipals", filter=f"displayName eq {quote(name)}")
        sp = by_name[0] if len(by_name) == 1 and not is_guid(name) else get_service_principal(client, target)
    else:
        sp = get_service_principal(client, target)
    secret = add_password(client, "servicePrincipals", sp, display_name or credential_description, years, end_date,
                          append)
    logger.warning(CREDENTIAL_WARNING)
    from akslocal.cli.app import session

    result = {"appId": sp["appId"], "password": secret, "tenant": session().current()["tenantId"]}
    if name and not identifier:  # the AAD Graph era form also printed the name it was given
        result = {"appId": result["appId"], "name": name, "password": result["password"], "tenant": result["tenant"]}
    return result


def list_credentials(identifier, cert=False):
    """List a service principal's password (or certificate) credentials, without their secrets."""
    sp = get_service_principal(graph(), identifier)
    return list(sp.get("keyCredentials" if cert else "passwordCredentials") or [])
