"""Application request bodies: Graph's properties (and the Azure AD Graph era names) to directory fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from akslocal.directory.models import AppRole, PermissionScope, RequiredResourceAccess, ResourceAccess
from akslocal.graph.body import check_keys, obj, string_list, wrong_type
from akslocal.graph.errors import bad_request

TOP_LEVEL = {
    "displayName",
    "identifierUris",
    "isFallbackPublicClient",
    "publicClient",
    "web",
    "spa",
    "groupMembershipClaims",
    "requiredResourceAccess",
    "appRoles",
    "api",
    "signInAudience",
    "keyCredentials",
    "passwordCredentials",
    # Azure AD Graph era names (az ≤ 2.36 and the legacy guide)
    "replyUrls",
    "homepage",
    "oauth2Permissions",
    "availableToOtherTenants",
    "oauth2AllowImplicitFlow",
}
# Accepted, not modelled.
IGNORED = {
    "tags",
    "notes",
    "description",
    "optionalClaims",
    "info",
    "isDeviceOnlyAuthSupported",
    "parentalControlSettings",
    "serviceManagementReference",
    "tokenEncryptionKeyId",
    "defaultRedirectUri",
    "samlMetadataUrl",
    "certification",
    "addIns",
    "verifiedPublisher",
    "uniqueName",
    "disabledByMicrosoftStatus",
    "logo",
    "owners@odata.bind",
}

T = TypeVar("T")


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise wrong_type(name, "true or false")
    return value


def _items(value: Any, name: str, parse: Callable[[Any, int], T]) -> tuple[T, ...]:
    """A list property, each entry parsed with its index (for the error's path)."""
    if not isinstance(value, list):
        raise wrong_type(name, "a list")
    return tuple(parse(item, i) for i, item in enumerate(value))


def _scope(raw: Any, i: int) -> PermissionScope:
    item = obj(raw, f"oauth2PermissionScopes[{i}]")
    check_keys(
        item,
        {
            "id",
            "value",
            "type",
            "isEnabled",
            "adminConsentDisplayName",
            "adminConsentDescription",
            "userConsentDisplayName",
            "userConsentDescription",
            "origin",
        },
    )
    for name in ("id", "value", "type"):
        if not isinstance(item.get(name), str):
            raise wrong_type(f"oauth2PermissionScopes[{i}].{name}", "a string")
    if item["type"] not in ("User", "Admin"):
        raise wrong_type(f"oauth2PermissionScopes[{i}].type", "'User' or 'Admin'")
    enabled = _flag(item.get("isEnabled", True), f"oauth2PermissionScopes[{i}].isEnabled")
    return PermissionScope(
        id=item["id"].lower(),
        value=item["value"],
        type=item["type"],
        is_enabled=enabled,
        admin_consent_display_name=str(item.get("adminConsentDisplayName") or ""),
        admin_consent_description=str(item.get("adminConsentDescription") or ""),
        user_consent_display_name=item.get("userConsentDisplayName"),
        user_consent_description=item.get("userConsentDescription"),
    )


def _role(raw: Any, i: int) -> AppRole:
    item = obj(raw, f"appRoles[{i}]")
    check_keys(item, {"id", "value", "displayName", "description", "allowedMemberTypes", "isEnabled", "origin"})
    if not isinstance(item.get("id"), str):
        raise wrong_type(f"appRoles[{i}].id", "a GUID string")
    members = string_list(item.get("allowedMemberTypes"), f"appRoles[{i}].allowedMemberTypes")
    if not members or any(m not in ("User", "Application") for m in members):
        raise wrong_type(f"appRoles[{i}].allowedMemberTypes", "a non-empty list of 'User' / 'Application'")
    enabled = _flag(item.get("isEnabled", True), f"appRoles[{i}].isEnabled")
    value = item.get("value")
    if value is not None and not isinstance(value, str):
        raise wrong_type(f"appRoles[{i}].value", "a string")
    return AppRole(
        id=item["id"].lower(),
        value=value,
        display_name=str(item.get("displayName") or ""),
        description=str(item.get("description") or ""),
        allowed_member_types=tuple(members),
        is_enabled=enabled,
    )


def _required(raw: Any) -> tuple[RequiredResourceAccess, ...]:
    if not isinstance(raw, list):
        raise wrong_type("requiredResourceAccess", "a list")
    out = []
    for i, entry in enumerate(raw):
        entry = obj(entry, f"requiredResourceAccess[{i}]")
        check_keys(entry, {"resourceAppId", "resourceAccess"})
        if not isinstance(entry.get("resourceAppId"), str):
            raise wrong_type(f"requiredResourceAccess[{i}].resourceAppId", "a GUID string")
        accesses = entry.get("resourceAccess") or []
        if not isinstance(accesses, list):
            raise wrong_type(f"requiredResourceAccess[{i}].resourceAccess", "a list")
        items = []
        for j, access in enumerate(accesses):
            access = obj(access, f"requiredResourceAccess[{i}].resourceAccess[{j}]")
            check_keys(access, {"id", "type"})
            if not isinstance(access.get("id"), str) or not isinstance(access.get("type"), str):
                raise wrong_type(
                    f"requiredResourceAccess[{i}].resourceAccess[{j}]", '{"id": "<guid>", "type": "Scope|Role"}'
                )
            items.append(ResourceAccess(access["id"].lower(), access["type"]))
        out.append(RequiredResourceAccess(entry["resourceAppId"].lower(), tuple(items)))
    return tuple(out)


def _redirects(section: dict, name: str) -> list[str]:
    return string_list(section.get("redirectUris"), f"{name}.redirectUris")


def parse_application(body: dict) -> dict:
    """Directory fields for create/update; raises Graph's 400 for unknown properties and wrong types."""
    check_keys(body, TOP_LEVEL, IGNORED)
    f: dict[str, Any] = {}
    if "displayName" in body:
        if not isinstance(body["displayName"], str):
            raise wrong_type("displayName", "a string")
        f["display_name"] = body["displayName"]
    if "identifierUris" in body:
        f["identifier_uris"] = tuple(string_list(body["identifierUris"], "identifierUris"))
    if "isFallbackPublicClient" in body:
        value = body["isFallbackPublicClient"]
        if value is not None and not isinstance(value, bool):
            raise wrong_type("isFallbackPublicClient", "true, false or null")
        f["public_client"] = bool(value)
    if "publicClient" in body:
        value = body["publicClient"]
        if isinstance(value, bool):  # Azure AD Graph: publicClient was the native-app flag
            f["public_client"] = value
        else:
            section = obj(value, "publicClient")
            check_keys(section, {"redirectUris"})
            f["public_client_redirect_uris"] = tuple(_redirects(section, "publicClient"))
    if "web" in body:
        web = obj(body["web"], "web")
        check_keys(web, {"redirectUris", "homePageUrl", "logoutUrl", "implicitGrantSettings", "redirectUriSettings"})
        if "redirectUris" in web:
            f["web_redirect_uris"] = tuple(_redirects(web, "web"))
        if "homePageUrl" in web:
            if web["homePageUrl"] is not None and not isinstance(web["homePageUrl"], str):
                raise wrong_type("web.homePageUrl", "a string")
            f["home_page_url"] = web["homePageUrl"]
        if "implicitGrantSettings" in web:
            implicit = obj(web["implicitGrantSettings"], "web.implicitGrantSettings")
            check_keys(implicit, {"enableAccessTokenIssuance", "enableIdTokenIssuance"})
            for prop, attr in (
                ("enableAccessTokenIssuance", "enable_access_token_issuance"),
                ("enableIdTokenIssuance", "enable_id_token_issuance"),
            ):
                if prop in implicit:
                    f[attr] = _flag(implicit[prop], f"web.implicitGrantSettings.{prop}")
    if "spa" in body:
        spa = obj(body["spa"], "spa")
        check_keys(spa, {"redirectUris"})
        f["spa_redirect_uris"] = tuple(_redirects(spa, "spa"))
    if "replyUrls" in body:
        f["web_redirect_uris"] = tuple(string_list(body["replyUrls"], "replyUrls"))
    if "homepage" in body:
        f["home_page_url"] = body["homepage"]
    if "groupMembershipClaims" in body:
        f["group_membership_claims"] = body["groupMembershipClaims"]
    if "requiredResourceAccess" in body:
        f["required_resource_access"] = _required(body["requiredResourceAccess"])
    if "appRoles" in body:
        f["app_roles"] = _items(body["appRoles"], "appRoles", _role)
    if "api" in body:
        api = obj(body["api"], "api")
        check_keys(
            api,
            {
                "oauth2PermissionScopes",
                "requestedAccessTokenVersion",
                "knownClientApplications",
                "preAuthorizedApplications",
                "acceptMappedClaims",
            },
        )
        if "oauth2PermissionScopes" in api:
            f["oauth2_scopes"] = _items(api["oauth2PermissionScopes"], "api.oauth2PermissionScopes", _scope)
        if "requestedAccessTokenVersion" in api:
            version = api["requestedAccessTokenVersion"]
            if isinstance(version, bool) or version not in (None, 1, 2):
                raise wrong_type("api.requestedAccessTokenVersion", "null, 1 or 2")
            f["access_token_accepted_version"] = version
        if "knownClientApplications" in api:
            f["known_client_applications"] = tuple(
                string_list(api["knownClientApplications"], "api.knownClientApplications")
            )
    if "oauth2Permissions" in body:
        f["oauth2_scopes"] = _items(body["oauth2Permissions"], "oauth2Permissions", _scope)
    if "signInAudience" in body:
        f["sign_in_audience"] = body["signInAudience"]
    if "availableToOtherTenants" in body:
        other_tenants = _flag(body["availableToOtherTenants"], "availableToOtherTenants")
        f["sign_in_audience"] = "AzureADMultipleOrgs" if other_tenants else "AzureADMyOrg"
    if "oauth2AllowImplicitFlow" in body:
        f["enable_access_token_issuance"] = _flag(body["oauth2AllowImplicitFlow"], "oauth2AllowImplicitFlow")
    if body.get("passwordCredentials") not in (None, []):
        # Graph's own answer: secrets come from addPassword only.
        raise bad_request("New password credentials must be generated using service actions.", "Request_BadRequest")
    if body.get("keyCredentials") not in (None, []):
        raise bad_request(
            "keyCredentials (certificates) are not supported by akslocal; only [] is accepted.", "Request_BadRequest"
        )
    return f
