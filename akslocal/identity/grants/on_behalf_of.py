"""On-behalf-of (``urn:ietf:params:oauth:grant-type:jwt-bearer``, ``requested_token_use=on_behalf_of``).

A middle-tier API (confidential) trades a user's access token *for itself* for a token
to another resource, as that user (entra-protocol.md §3.1; AD-V1 on-behalf-of).  The
assertion must be one of our tokens, for this client, in this tenant.
"""

from __future__ import annotations

from akslocal.identity import directory_view as dv
from akslocal.identity import errors
from akslocal.identity.bearer import BearerError, verify_token
from akslocal.identity.grants.base import GrantContext, Issue


class OnBehalfOf:
    grant_types = ("urn:ietf:params:oauth:grant-type:jwt-bearer",)
    confidential_only = True

    def authorize(self, ctx: GrantContext) -> Issue:
        request = ctx.request
        if request.get("requested_token_use") != "on_behalf_of":
            raise errors.invalid_parameter("requested_token_use")
        assertion = request.require("assertion")
        app = ctx.client.app
        audiences = [app.app_id, f"spn:{app.app_id}", *app.identifier_uris]
        try:
            claims = verify_token(ctx.services, assertion, audiences,
                                  tenant_id=ctx.tenant.id if ctx.tenant is not None else None)
        except BearerError as exc:
            raise errors.invalid_assertion(exc.message) from None
        if "scp" not in claims or not isinstance(claims.get("oid"), str):
            raise errors.invalid_grant("The assertion is not a delegated (user) token.")
        tenant_id = claims["tid"]
        user = dv.get_user(ctx.tx, tenant_id, claims["oid"])
        if user is None or not user.account_enabled:
            raise errors.account_disabled()
        ask = request.resource_ask()
        if request.version == 1 and ask is not None:
            from dataclasses import replace

            ask = replace(ask, oidc=frozenset())
        return Issue(tenant_id=tenant_id, ask=ask, user=user, amr=list(claims.get("amr") or ["pwd"]),
                     issue_refresh_token=request.version == 2 and "offline_access" in (ask.oidc if ask else ()))
