"""Client credentials (RFC 6749 §4.4): an app-only token; ``roles`` from appRoleAssignments only.

v2 requires ``scope=<resource>/.default`` (AADSTS1002012); v1 sends ``resource``.
"""

from __future__ import annotations

from akslocal.identity import errors
from akslocal.identity.grants.base import GrantContext, Issue


class ClientCredentials:
    grant_types = ("client_credentials",)
    confidential_only = True

    def authorize(self, ctx: GrantContext) -> Issue:
        if ctx.tenant is None:
            raise errors.no_tenant_information()
        ask = ctx.request.resource_ask()
        assert ask is not None
        if ctx.request.version == 2 and (not ask.is_default or ask.resource is None or ask.oidc):
            raise errors.client_credentials_scope(ctx.request.get("scope") or "")
        return Issue(tenant_id=ctx.tenant.id, ask=ask)
