"""OpenID Connect metadata, JWKS, instance discovery and user realm: the documents, field for field.

Shapes follow the real service (entra-protocol.md §1.2–§1.5).  Under ``common`` and
``organizations`` the issuer keeps Entra's literal ``{tenantid}`` placeholder.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

PLACEHOLDER = "{tenantid}"
CACHE_HEADERS = {"Cache-Control": "max-age=86400, private", "Access-Control-Allow-Origin": "*"}

_V2_CLAIMS = [
    "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host",
    "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash",
    "c_hash", "email",
]
_V1_CLAIMS = [
    "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host",
    "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname",
]


def _segment(tenant_ref: str, tenant_id: str | None) -> str:
    """The path segment endpoints use: the tenant id for a tenant, or common/organizations as asked."""
    return tenant_id if tenant_id else tenant_ref.lower()


def v2_metadata(base: str, tenant_ref: str, tenant_id: str | None) -> dict[str, Any]:
    t = _segment(tenant_ref, tenant_id)
    return {
        "token_endpoint": f"{base}/{t}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/{t}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/{tenant_id or PLACEHOLDER}/v2.0",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": f"{base}/{t}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/{t}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/{t}/oauth2/v2.0/logout",
        "claims_supported": list(_V2_CLAIMS),
        "kerberos_endpoint": f"{base}/{t}/kerberos",
        "tenant_region_scope": "WW" if tenant_id else None,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }


def v1_metadata(base: str, tenant_ref: str, tenant_id: str | None) -> dict[str, Any]:
    t = _segment(tenant_ref, tenant_id)
    return {
        "token_endpoint": f"{base}/{t}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/common/discovery/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": f"https://sts.windows.net/{tenant_id or PLACEHOLDER}/",
        "microsoft_multi_refresh_token": True,
        "authorization_endpoint": f"{base}/{t}/oauth2/authorize",
        "device_authorization_endpoint": f"{base}/{t}/oauth2/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/{t}/oauth2/logout",
        "claims_supported": list(_V1_CLAIMS),
        "check_session_iframe": f"{base}/{t}/oauth2/checksession",
        "userinfo_endpoint": f"{base}/{t}/openid/userinfo",
        "kerberos_endpoint": f"{base}/{t}/kerberos",
        "tenant_region_scope": "WW" if tenant_id else None,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }


def jwks(keys: list[dict[str, Any]], *, v2_issuer: str | None = None) -> dict[str, Any]:
    """v1 keys have no ``issuer``; v2 keys carry the (placeholder) issuer they are valid for."""
    if v2_issuer is None:
        return {"keys": keys}
    return {"keys": [{**k, "issuer": v2_issuer} for k in keys]}


def instance_discovery(base: str, authorization_endpoint: str | None) -> tuple[int, dict[str, Any]]:
    """``/common/discovery/instance``: ours is the only instance; any other host is ``invalid_instance``."""
    host = urlsplit(base).hostname or ""
    tenant = "common"
    if authorization_endpoint:
        parts = urlsplit(authorization_endpoint)
        if parts.scheme != "https" or (parts.hostname or "").lower() != host.lower():
            return 400, {
                "error": "invalid_instance",
                "error_description": "AADSTS50049: Unknown or invalid instance.",
                "error_codes": [50049],
            }
        segments = [s for s in parts.path.split("/") if s]
        if segments:
            tenant = segments[0]
    return 200, {
        "tenant_discovery_endpoint": f"{base}/{tenant}/v2.0/.well-known/openid-configuration",
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    }


def user_realm(username: str, domain_known: bool) -> dict[str, Any]:
    """``/common/userrealm/<user>``: managed for our domains (so MSAL goes on with ROPC), unknown otherwise."""
    domain = username.rsplit("@", 1)[1] if "@" in username else ""
    if not domain_known:
        return {"ver": "1.0", "account_type": "Unknown", "cloud_instance_name": "microsoftonline.com"}
    return {
        "ver": "1.0",
        "account_type": "Managed",
        "domain_name": domain,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_audience_urn": "urn:federation:MicrosoftOnline",
    }
