"""``ad app create/update/show/list/delete``: both the AAD Graph era flags and today's.

AAD Graph era → Graph: ``--native-app`` → ``isFallbackPublicClient`` (its ``--reply-urls``
become public-client redirect URIs), ``--reply-urls`` → ``web.redirectUris``,
``--homepage`` → ``web.homePageUrl``, ``--available-to-other-tenants`` →
``signInAudience``, ``--oauth2-allow-implicit-flow`` → ``enableAccessTokenIssuance``.
"""

from __future__ import annotations

import copy
import json
import os

from knack.log import get_logger

from akslocal.cli.ad import _format
from akslocal.cli.ad._resolve import and_filter, get_application, graph, quote
from akslocal.cli.core import generic_update
from akslocal.cli.core.errors import ArgumentUsageError, AzLocalError, InvalidArgumentValueError

logger = get_logger(__name__)

# AAD Graph application properties a --set may still name, and where Graph keeps them
LEGACY_SET = {
    "replyUrls": ("web", "redirectUris"),
    "homepage": ("web", "homePageUrl"),
    "oauth2Permissions": ("api", "oauth2PermissionScopes"),
    "knownClientApplications": ("api", "knownClientApplications"),
}


def json_property(value, name):
    """A JSON argument given inline or as a file path, as az accepts them."""
    if value is None:
        return None
    text = value
    if os.path.isfile(os.path.expanduser(value)):
        with open(os.path.expanduser(value)) as stream:
            text = stream.read()
    try:
        return json.loads(text)
    except ValueError as error:
        raise InvalidArgumentValueError(f"--{name}: the value is neither a file nor valid JSON ({error}).") from error


def _body(display_name=None, identifier_uris=None, is_fallback_public_client=None, sign_in_audience=None,
          web_home_page_url=None, web_redirect_uris=None, public_client_redirect_uris=None,
          enable_id_token_issuance=None, enable_access_token_issuance=None, requested_access_token_version=None,
          app_roles=None, optional_claims=None, required_resource_accesses=None, existing=None):
    existing = existing or {}
    body: dict = {}
    if display_name is not None:
        body["displayName"] = display_name
    if identifier_uris is not None:
        body["identifierUris"] = identifier_uris
    if is_fallback_public_client is not None:
        body["isFallbackPublicClient"] = is_fallback_public_client
    if sign_in_audience is not None:
        body["signInAudience"] = sign_in_audience
    web = copy.deepcopy(existing.get("web") or {})
    if web_home_page_url is not None:
        web["homePageUrl"] = web_home_page_url
    if web_redirect_uris is not None:
        web["redirectUris"] = web_redirect_uris
    if enable_id_token_issuance is not None or enable_access_token_issuance is not None:
        implicit = web.setdefault("implicitGrantSettings", {})
        if enable_id_token_issuance is not None:
            implicit["enableIdTokenIssuance"] = enable_id_token_issuance
        if enable_access_token_issuance is not None:
            implicit["enableAccessTokenIssuance"] = enable_access_token_issuance
    if web != (existing.get("web") or {}):
        body["web"] = web
    if public_client_redirect_uris is not None:
        body["publicClient"] = {"redirectUris": public_client_redirect_uris}
    if requested_access_token_version is not None:
        api = copy.deepcopy(existing.get("api") or {})
        api["requestedAccessTokenVersion"] = requested_access_token_version
        body["api"] = api
    if app_roles is not None:
        body["appRoles"] = json_property(app_roles, "app-roles")
    if optional_claims is not None:
        body["optionalClaims"] = json_property(optional_claims, "optional-claims")
    if required_resource_accesses is not None:
        body["requiredResourceAccess"] = json_property(required_resource_accesses, "required-resource-accesses")
    return body


# the keywords of _body that ad app create and update take as they are
_BODY_ARGS = ("display_name", "identifier_uris", "is_fallback_public_client", "sign_in_audience",
              "web_home_page_url", "web_redirect_uris", "public_client_redirect_uris", "enable_id_token_issuance",
              "enable_access_token_issuance", "requested_access_token_version", "app_roles", "optional_claims",
              "required_resource_accesses")


def _body_kwargs(args: dict) -> dict:
    """The keywords for _body from a command's arguments, its AAD Graph era flags folded in."""
    kwargs = {name: args[name] for name in _BODY_ARGS}
    _legacy(args["native_app"], args["reply_urls"], args["homepage"], args["available_to_other_tenants"],
            args["oauth2_allow_implicit_flow"], kwargs)
    return kwargs


def _legacy(native_app, reply_urls, homepage, available_to_other_tenants, oauth2_allow_implicit_flow, kwargs):
    """Fold the AAD Graph era flags into their Graph era equivalents."""
    if native_app:
        kwargs["is_fallback_public_client"] = True
    if reply_urls is not None:
        key = "public_client_redirect_uris" if native_app else "web_redirect_uris"
        kwargs[key] = list(kwargs.get(key) or []) + list(reply_urls)
    if homepage is not None:
        kwargs["web_home_page_url"] = homepage
    if available_to_other_tenants is not None:
        kwargs["sign_in_audience"] = "AzureADMultipleOrgs" if available_to_other_tenants else "AzureADMyOrg"
    if oauth2_allow_implicit_flow is not None:
        kwargs["enable_access_token_issuance"] = oauth2_allow_implicit_flow


def create_application(display_name, identifier_uris=None, is_fallback_public_client=None, sign_in_audience=None,
                       web_home_page_url=None, web_redirect_uris=None, public_client_redirect_uris=None,
                       enable_id_token_issuance=None, enable_access_token_issuance=None,
                       requested_access_token_version=None, app_roles=None, optional_claims=None,
                       required_resource_accesses=None, native_app=None, reply_urls=None, homepage=None,
                       available_to_other_tenants=None, oauth2_allow_implicit_flow=None, password=None,
                       credential_description=None):
    """Create an application (or patch the one with the same display name, as az does)."""
    if native_app and identifier_uris:
        raise ArgumentUsageError("'--identifier-uris' is not required for creating a native application")
    if password is not None:
        raise ArgumentUsageError("--password is not supported: Microsoft Graph generates secrets; run "
                                 "'azlocal ad app credential reset' or 'azlocal ad sp credential reset'.")
    kwargs = _body_kwargs(locals())
    client = graph()
    existing = client.list("/applications", filter=f"startswith(displayName,{quote(display_name)})")
    if identifier_uris:
        existing = [a for a in existing if set(identifier_uris) <= set(a.get("identifierUris") or [])]
    existing = [a for a in existing if a.get("displayName") == display_name]
    if len(existing) > 1:
        raise AzLocalError(f"More than one application have the same display name '{display_name}': (id) "
                           f"{', '.join(a['id'] for a in existing)}, please remove them first.")
    if existing:
        app = existing[0]
        logger.warning("Found an existing application instance: (id) %s. We will patch it.", app["id"])
        client.patch(f"/applications/{app['id']}", _body(existing=app, **kwargs))
        return _format.application(client.get(f"/applications/{app['id']}"))
    body = _body(**kwargs)
    body.setdefault("keyCredentials", [])
    return _format.application(client.post("/applications", body))


def update_application(identifier, display_name=None, identifier_uris=None, is_fallback_public_client=None,
                       sign_in_audience=None, web_home_page_url=None, web_redirect_uris=None,
                       public_client_redirect_uris=None, enable_id_token_issuance=None,
                       enable_access_token_issuance=None, requested_access_token_version=None, app_roles=None,
                       optional_claims=None, required_resource_accesses=None, reply_urls=None, homepage=None,
                       available_to_other_tenants=None, oauth2_allow_implicit_flow=None, native_app=None,
                       set=None, add=None, remove=None, force_string=False):
    """Update an application: typed flags, and az's generic --set/--add/--remove on its properties."""
    client = graph()
    app = get_application(client, identifier)
    kwargs = _body_kwargs(locals())
    body = _body(existing=app, **kwargs)
    if set or add or remove:
        body.update(_generic_patch(app, set, add, remove, force_string))
    if body:
        client.patch(f"/applications/{app['id']}", body)
    # az prints nothing for `ad app update`


def _generic_patch(app: dict, set_, add, remove, force_string) -> dict:
    original = _format.application(copy.deepcopy(app))
    changed = generic_update.apply(copy.deepcopy(original), set_, add, remove, force_string)
    body: dict = {}
    for key, value in changed.items():
        if key in LEGACY_SET and value != original.get(key):
            parent, child = LEGACY_SET[key]
            nested = body.setdefault(parent, copy.deepcopy(app.get(parent) or {}))
            nested[child] = value
        elif key == "availableToOtherTenants" and value != original.get(key):
            body["signInAudience"] = "AzureADMultipleOrgs" if value else "AzureADMyOrg"
        elif key in ("objectId", "objectType", "oauth2AllowImplicitFlow") or key in LEGACY_SET:
            continue
        elif key not in app or value != app.get(key):
            body[key] = value
    for key in original:
        if key not in changed and key in app:
            body[key] = None
    return body


def show_application(identifier):
    """Get the details of an application (by appId, identifier URI or object id)."""
    client = graph()
    return _format.application(get_application(client, identifier))


def list_applications(display_name=None, app_id=None, identifier_uri=None, filter=None, all=False,
                      show_mine=False):
    """List applications."""
    filters = and_filter(
        display_name and f"startswith(displayName,{quote(display_name)})",
        app_id and f"appId eq {quote(app_id)}",
        identifier_uri and f"identifierUris/any(s:s eq {quote(identifier_uri)})",
        filter,
    )
    client = graph()
    path = "/me/ownedObjects/microsoft.graph.application" if show_mine else "/applications"
    return [_format.application(a) for a in client.list(path, filter=filters)]


def delete_application(identifier):
    """Delete an application."""
    from akslocal.cli.ad._resolve import application_id

    client = graph()
    client.delete(f"/applications/{application_id(client, identifier)}")
