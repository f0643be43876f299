"""Refresh token grant (RFC 6749 §6): rotation on every use, family revocation on reuse.

A refresh token serves any resource the user has consented to for this client
(entra-protocol.md §3.1); consent is checked again at minting.
"""

from __future__ import annotations

from akslocal.identity import directory_view as dv
from akslocal.identity import errors, refresh
from akslocal.identity.grants.base import GrantContext, Issue
from akslocal.identity.grants.signin import persist


class RefreshToken:
    grant_types = ("refresh_token",)
    confidential_only = False

    def authorize(self, ctx: GrantContext) -> Issue:
        token = ctx.request.require("refresh_token")
        ask = ctx.request.resource_ask()
        try:
            doc = refresh.redeem(ctx.tx, token, client_id=ctx.client.app_id, now=ctx.now)
        except errors.OAuthError as err:
            raise persist(err) from None
        tenant_id = doc["tenant_id"]
        if ctx.tenant is not None and ctx.tenant.id != tenant_id:
            raise errors.invalid_grant("The refresh token was issued for a different tenant.")
        user = dv.get_user(ctx.tx, tenant_id, doc["user_id"])
        if user is None or not user.account_enabled:
            raise errors.account_disabled()
        return Issue(tenant_id=tenant_id, ask=ask, user=user, amr=list(doc["amr"]), refresh_family=doc["family"],
                     refresh_oidc=list(doc["oidc"]), issue_refresh_token=True)
