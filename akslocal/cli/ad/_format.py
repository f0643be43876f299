"""Azure AD Graph era fields beside the Microsoft Graph ones, so both eras' ``--query`` work.

The seed reads ``oauth2Permissions[0].id``; older scripts read ``objectId``, ``replyUrls``,
``homepage``, ``availableToOtherTenants``. These are added (never replacing a Graph field:
``publicClient`` stays Graph's ``{"redirectUris": [...]}``; the AAD Graph boolean is
Graph's ``isFallbackPublicClient``).
"""

from __future__ import annotations

from typing import Any


def _object_id(obj: dict, object_type: str) -> dict:
    if "id" in obj:
        obj.setdefault("objectId", obj["id"])
    obj.setdefault("objectType", object_type)
    return obj


def application(app: dict[str, Any] | None) -> dict | None:
    if not isinstance(app, dict):
        return app
    _object_id(app, "Application")
    api = app.get("api") or {}
    web = app.get("web") or {}
    public = app.get("publicClient") or {}
    app.setdefault("oauth2Permissions", list(api.get("oauth2PermissionScopes") or []))
    app.setdefault("replyUrls", list(web.get("redirectUris") or []) + list(public.get("redirectUris") or []))
    app.setdefault("homepage", web.get("homePageUrl"))
    app.setdefault("availableToOtherTenants", app.get("signInAudience") not in (None, "AzureADMyOrg"))
    implicit = web.get("implicitGrantSettings") or {}
    app.setdefault("oauth2AllowImplicitFlow", bool(implicit.get("enableAccessTokenIssuance")))
    app.setdefault("knownClientApplications", list(api.get("knownClientApplications") or []))
    return app


def service_principal(sp: dict[str, Any] | None) -> dict | None:
    if not isinstance(sp, dict):
        return sp
    _object_id(sp, "ServicePrincipal")
    sp.setdefault("oauth2Permissions", list(sp.get("oauth2PermissionScopes") or []))
    sp.setdefault("replyUrls", list(sp.get("replyUrls") or []))
    return sp


def user(obj: dict | None) -> dict | None:
    return _object_id(obj, "User") if isinstance(obj, dict) else obj


def group(obj: dict | None) -> dict | None:
    return _object_id(obj, "Group") if isinstance(obj, dict) else obj


def directory_object(obj: dict | None) -> dict | None:
    if not isinstance(obj, dict):
        return obj
    kind = str(obj.get("@odata.type", "")).rsplit(".", 1)[-1]
    return {"user": user, "group": group, "servicePrincipal": service_principal,
            "application": application}.get(kind, lambda o: _object_id(o, kind[:1].upper() + kind[1:]))(obj)
