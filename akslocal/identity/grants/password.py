"""Resource owner password credentials (RFC 6749 §4.3), as MSAL's ``acquire_token_by_username_password``."""

from __future__ import annotations

from akslocal.identity.grants.base import GrantContext, Issue
from akslocal.identity.grants.signin import sign_in


class Password:
    grant_types = ("password",)
    confidential_only = False

    def authorize(self, ctx: GrantContext) -> Issue:
        username = ctx.request.require("username")
        password = ctx.request.require("password")
        ask = ctx.request.resource_ask()
        found = sign_in(ctx.tx, tenant=ctx.tenant, username=username, password=password, now=ctx.now)
        return Issue(tenant_id=found.tenant_id, ask=ask, user=found.user, upn_used=username)
