"""Authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636, S256 and plain).

Codes are single use (a second redemption fails with AADSTS54005 and revokes what the
first one issued), bound to the client and to the exact redirect URI of the authorize
request, and live 10 minutes.
"""

from __future__ import annotations

from akslocal.identity import directory_view as dv
from akslocal.identity import errors, flows, refresh
from akslocal.identity.grants.base import GrantContext, Issue, TokenRequest
from akslocal.identity.grants.signin import persist
from akslocal.identity.resources import ResourceAsk


class AuthorizationCode:
    grant_types = ("authorization_code",)
    confidential_only = False

    def allows_public_client(self, request: TokenRequest, app) -> bool:
        redirect = request.get("redirect_uri") or ""
        return bool(app.public_client or redirect in app.public_client_redirect_uris or
                    redirect in getattr(app, "spa_redirect_uris", ()))

    def authorize(self, ctx: GrantContext) -> Issue:
        request = ctx.request
        code = request.require("code")
        redirect_uri = request.require("redirect_uri")
        key = flows.code_key(code)
        record = ctx.tx.get_record(flows.AUTH_CODES, key)
        if record is None or record.doc["client_id"].lower() != ctx.client.app_id.lower():
            raise errors.invalid_grant("The provided value for the 'code' parameter is not valid.")
        doc = record.doc
        if doc["redeemed"]:
            if doc.get("family"):
                fam = ctx.tx.get(refresh.FAMILIES, doc["family"])
                if fam is not None:
                    ctx.tx.put(refresh.FAMILIES, doc["family"], {**fam, "revoked": True, "reason": "code reuse"})
            raise persist(errors.code_redeemed())
        if ctx.now >= doc["expires"]:
            raise errors.expired_grant()
        if redirect_uri != doc["redirect_uri"]:
            raise errors.redirect_mismatch(redirect_uri, ctx.client.app_id)
        challenge = doc.get("code_challenge")
        if challenge:
            verifier = request.get("code_verifier")
            if verifier is None:
                raise errors.missing_parameter("code_verifier")
            if not flows.verify_pkce(verifier, challenge, doc.get("code_challenge_method") or "plain"):
                raise errors.code_verifier_mismatch()
        family = ctx.services.entropy.guid()
        ctx.tx.put(refresh.FAMILIES, family, {"revoked": False, "created": ctx.now, "client_id": ctx.client.app_id,
                                              "user_id": doc["user_id"]})
        ctx.tx.put(flows.AUTH_CODES, key, {**doc, "redeemed": True, "family": family}, expect_rev=record.rev)
        tenant_id = doc["tenant_id"]
        if ctx.tenant is not None and ctx.tenant.id != tenant_id:
            raise errors.invalid_grant("The code was issued for a different tenant.")
        user = dv.get_user(ctx.tx, tenant_id, doc["user_id"])
        if user is None or not user.account_enabled:
            raise errors.account_disabled()
        ask = request.resource_ask(required=False) or ResourceAsk.from_doc(doc["ask"])
        return Issue(tenant_id=tenant_id, ask=ask, user=user, nonce=doc.get("nonce"), refresh_family=family,
                     refresh_oidc=list(ResourceAsk.from_doc(doc["ask"]).oidc))
