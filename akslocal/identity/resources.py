"""Which resource a token is for, which version and ``aud`` it gets, and which delegated scopes.

v2 requests name the resource inside ``scope`` (``<resource>/.default``, ``<resource>/<scope>``,
or a bare Graph scope such as ``User.Read``); v1 requests send ``resource``.  The resource's
app decides the token version (accessTokenAcceptedVersion) and ``aud`` is what the client
asked for (v1; ``spn:<guid>`` for a GUID with ``api-version=1.0``) or the app id (v2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from akslocal.identity import directory_view as dv
from akslocal.identity import errors

OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
GRAPH_RESOURCE = "https://graph.microsoft.com"
DEFAULT = ".default"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MAX_SCOPE = 4000


def is_guid(value: str) -> bool:
    return bool(_GUID.match(value))


@dataclass(frozen=True)
class ResourceAsk:
    """What a client asked for, before any lookup."""

    resource: str | None  # as asked; None when only OIDC scopes were asked
    scopes: tuple[str, ...]  # short scope names for that resource; (".default",) for the static set
    oidc: frozenset[str]
    spn_audience: bool = False  # v1 + api-version=1.0 + GUID resource
    graph_short_names: bool = False  # bare names like "User.Read" (echoed bare)

    @property
    def is_default(self) -> bool:
        return self.scopes == (DEFAULT,)

    def to_doc(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "scopes": list(self.scopes),
            "oidc": sorted(self.oidc),
            "spn_audience": self.spn_audience,
            "graph_short_names": self.graph_short_names,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> ResourceAsk:
        return cls(
            doc["resource"], tuple(doc["scopes"]), frozenset(doc["oidc"]), doc["spn_audience"], doc["graph_short_names"]
        )


def parse_scope(scope: str) -> ResourceAsk:
    """A v2 ``scope`` parameter: one resource at most, plus OIDC scopes."""
    if len(scope) > _MAX_SCOPE:
        raise errors.invalid_scope(scope)
    oidc: set[str] = set()
    resource: str | None = None
    names: list[str] = []
    bare = False
    for item in scope.split():
        if item.lower() in OIDC_SCOPES:
            oidc.add(item.lower())
            continue
        if "/" in item:
            res, _, name = item.rpartition("/")
            if not res or not name:
                raise errors.invalid_scope(item)
        else:
            res, name, bare = GRAPH_RESOURCE, item, True
        if resource is None:
            resource = res
        elif res.rstrip("/").lower() != resource.rstrip("/").lower():
            raise errors.multiple_resources(scope)
        if name not in names:
            names.append(name)
    if DEFAULT in names and len(names) > 1:
        names = [DEFAULT]
    return ResourceAsk(resource, tuple(names), frozenset(oidc), graph_short_names=bare and resource == GRAPH_RESOURCE)


def parse_resource(resource: str, *, api_version: str | None, scope: str | None = None) -> ResourceAsk:
    """A v1 request: ``resource`` (+ optional ``scope=openid``)."""
    if len(resource) > 2000:
        raise errors.invalid_parameter("resource")
    oidc = frozenset(s.lower() for s in (scope or "").split() if s.lower() in OIDC_SCOPES)
    spn = api_version == "1.0" and is_guid(resource)
    return ResourceAsk(resource, (DEFAULT,), oidc, spn_audience=spn)


@dataclass(frozen=True)
class Resource:
    """A resolved resource: its service principal, its app, the token version and audience."""

    ask: ResourceAsk
    sp: Any
    app: Any
    version: int
    audience: str

    @property
    def app_id(self) -> str:
        return self.sp.app_id


def resolve(tx, tenant_id: str, ask: ResourceAsk, *, edge_url: str) -> Resource:
    """Find the resource's service principal in the tenant (AADSTS500011 if absent)."""
    asked = ask.resource or GRAPH_RESOURCE
    lookup = asked
    if asked.rstrip("/").lower() == edge_url.rstrip("/").lower():
        lookup = dv.firstparty.GRAPH  # az registered as a custom cloud uses the edge URL as Graph's resource
    sp = dv.resource_service_principal(tx, tenant_id, lookup)
    if sp is None:
        raise errors.resource_not_found(asked, tenant_id)
    app = dv.resource_app(tx, sp)
    version = dv.token_version(app)
    if version == 2:
        audience = sp.app_id
    elif ask.spn_audience:
        audience = f"spn:{asked}"
    else:
        audience = asked
    return Resource(ask, sp, app, version, audience)


class ConsentNeeded(Exception):
    """The user (or an admin) must consent to ``scopes`` of ``resource`` for this client."""

    def __init__(self, scopes: list[str], admin_only: bool) -> None:
        super().__init__(" ".join(scopes))
        self.scopes = scopes
        self.admin_only = admin_only


def _enabled_scopes(sp) -> dict[str, Any]:
    return {s.value.lower(): s for s in getattr(sp, "oauth2_scopes", ()) if s.is_enabled and s.value}


def static_scopes(client_app, resource: Resource) -> list[str]:
    """The client's configured permissions (requiredResourceAccess) on this resource, by value."""
    by_id = {s.id: s.value for s in getattr(resource.sp, "oauth2_scopes", ())}
    values: list[str] = []
    for rra in getattr(client_app, "required_resource_access", ()) if client_app is not None else ():
        if rra.resource_app_id.lower() != resource.sp.app_id.lower():
            continue
        for access in rra.resource_access:
            if access.type == "Scope" and access.id in by_id and by_id[access.id] not in values:
                values.append(by_id[access.id])
    return values


def delegated_scopes(tx, tenant_id: str, client_app_id: str, client_app, client_sp, resource: Resource, user_id: str):
    """The ``scp`` of a delegated token, or :class:`ConsentNeeded` / invalid_scope."""
    available = _enabled_scopes(resource.sp)
    ask = resource.ask
    if ask.resource is None:  # only OIDC scopes: a sign-in, Graph profile access comes with it
        return ["User.Read"] if "user.read" in available else []
    if dv.is_preauthorized(client_app_id, resource.sp):
        if ask.is_default:
            values = [s.value for s in available.values() if s.value.lower() not in OIDC_SCOPES]
            return values or ["user_impersonation"]
        for name in ask.scopes:
            if name.lower() not in available:
                raise errors.invalid_scope(f"{ask.resource}/{name}")
        return list(ask.scopes)
    granted = dv.delegated_scopes(tx, tenant_id, client_sp.id, resource.sp.id, user_id) if client_sp else set()
    granted_lower = {g.lower() for g in granted}
    if ask.is_default:
        if granted:
            return sorted(granted, key=str.lower)
        wanted = static_scopes(client_app, resource)
        if not wanted:
            raise errors.resource_not_in_permissions()
        raise ConsentNeeded(wanted, _admin_only(available, wanted))
    missing: list[str] = []
    for name in ask.scopes:
        if name.lower() not in available:
            raise errors.invalid_scope(f"{ask.resource}/{name}")
        if name.lower() not in granted_lower:
            missing.append(available[name.lower()].value)
    if missing:
        raise ConsentNeeded(missing, _admin_only(available, missing))
    return sorted(granted, key=str.lower)


def _admin_only(available: dict[str, Any], scopes: list[str]) -> bool:
    return any(getattr(available.get(s.lower()), "type", "User") == "Admin" for s in scopes)


def echoed_scope(resource: Resource, scp: list[str], *, version: int) -> str:
    """The ``scope`` field of the token response (MSAL caches the token under it)."""
    if version == 1:
        return " ".join(scp)
    ask = resource.ask
    if ask.graph_short_names:
        names = list(scp)
    else:
        prefix = (ask.resource or GRAPH_RESOURCE) + "/"
        names = [prefix + s for s in scp]
        if ask.is_default:
            names.append(prefix + DEFAULT)
    return " ".join(names + sorted(ask.oidc - {"offline_access"}))
