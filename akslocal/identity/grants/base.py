"""The shapes every grant shares: the parsed request, the authenticated client, the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from akslocal.identity import errors
from akslocal.identity.resources import ResourceAsk, parse_resource, parse_scope

_MAX_PARAM = 16384


@dataclass(frozen=True)
class TokenRequest:
    """One token request, parsed once from the form, the query string and the headers."""

    version: int  # 1: /oauth2/token, 2: /oauth2/v2.0/token
    tenant_ref: str
    form: Mapping[str, str]
    api_version: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    correlation_id: str = ""
    client_ip: str | None = None

    @property
    def grant_type(self) -> str:
        return self.form.get("grant_type", "")

    def get(self, name: str) -> str | None:
        value = self.form.get(name)
        if value is None or value == "":
            return None
        if len(value) > _MAX_PARAM:
            raise errors.invalid_parameter(name)
        return value

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise errors.missing_parameter(name)
        return value

    @property
    def wants_client_info(self) -> bool:
        return self.form.get("client_info") == "1"

    @property
    def client_capabilities(self) -> tuple[str, ...]:
        """``xms_cc`` from the ``claims`` request parameter (az sends CP1)."""
        import json

        raw = self.get("claims")
        if not raw:
            return ()
        try:
            values = json.loads(raw)["access_token"]["xms_cc"]["values"]
        except (ValueError, KeyError, TypeError):
            return ()
        return tuple(str(v).lower() for v in values if isinstance(v, str))[:8] if isinstance(values, list) else ()

    def resource_ask(self, *, required: bool = True) -> ResourceAsk | None:
        """What the token is for: ``scope`` (v2) or ``resource`` (v1)."""
        if self.version == 2:
            scope = self.get("scope")
            if scope is None:
                if required:
                    raise errors.missing_parameter("scope")
                return None
            return parse_scope(scope)
        resource = self.get("resource")
        if resource is None:
            if required:
                raise errors.missing_parameter("resource")
            return None
        return parse_resource(resource, api_version=self.api_version, scope=self.get("scope"))


@dataclass(frozen=True)
class Client:
    """The calling application after client authentication."""

    app_id: str
    app: Any  # directory Application (customer or first-party)
    display_name: str
    auth: str  # tokens.CLIENT_AUTH_*
    public: bool


@dataclass
class Issue:
    """What a grant decided: who the token is for and in which tenant."""

    tenant_id: str
    ask: ResourceAsk | None
    user: Any = None  # directory User the token is about (None: app-only)
    upn_used: str | None = None
    amr: list[str] = field(default_factory=lambda: ["pwd"])
    refresh_family: str | None = None
    refresh_oidc: list[str] | None = None
    nonce: str | None = None
    issue_refresh_token: bool | None = None  # None: when offline_access was asked (v2) / always (v1)
    consent_interactive: bool = False


@dataclass
class GrantContext:
    services: Any
    tx: Any
    request: TokenRequest
    tenant: Any  # directory Tenant, or None for common / organizations
    client: Client
    fast_key: tuple | None = None  # client-credentials decision cache key (apptokens)

    @property
    def now(self) -> float:
        return self.services.clock.now()


class Grant(Protocol):
    grant_types: tuple[str, ...]
    confidential_only: bool

    def authorize(self, ctx: GrantContext) -> Issue: ...
