"""Device authorization grant (RFC 8628), v1 and v2 shapes (entra-protocol.md §2).

``start`` answers ``/oauth2/devicecode`` and ``/oauth2/v2.0/devicecode``; the grant answers
polls on the token endpoint, under both ``grant_type`` spellings, with
``authorization_pending`` / ``slow_down`` / ``authorization_declined`` / ``expired_token`` /
``bad_verification_code``.  Codes are single use: the first successful poll redeems it.
"""

from __future__ import annotations

from typing import Any

from akslocal.identity import directory_view as dv
from akslocal.identity import errors, flows
from akslocal.identity.grants.base import GrantContext, Issue, TokenRequest
from akslocal.identity.grants.signin import persist

POLL_SLACK = 1.0  # seconds of timer jitter tolerated before answering slow_down
MESSAGE = "To sign in, use a web browser to open the page {url} and enter the code {code} to authenticate."


def start(services, tx, request: TokenRequest) -> dict[str, Any]:
    """Issue a device code (the caller resolves nothing else: errors are OAuthError)."""
    from akslocal.identity.grants.endpoint import resolve_tenant

    tenant = resolve_tenant(tx, request.tenant_ref)
    client_id = request.client_id or request.get("client_id")
    if not client_id:
        raise errors.missing_parameter("client_id")
    app = dv.client_app(tx, client_id) if len(client_id) <= 256 else None
    if app is None:
        raise errors.app_not_found(client_id, tenant.id if tenant else request.tenant_ref)
    ask = request.resource_ask()
    assert ask is not None
    now = services.clock.now()
    flows.purge_expired_device_codes(tx, now)
    device_code, doc = flows.create_device_code(
        tx, services.entropy, now=now, client_id=app.app_id, client_name=app.display_name,
        tenant_ref=request.tenant_ref, tenant_id=tenant.id if tenant else None, version=request.version,
        ask=ask.to_doc(),
    )
    url = f"{services.settings.public_url}/devicelogin"
    message = MESSAGE.format(url=url, code=doc["user_code"])
    if request.version == 1:
        return {
            "user_code": doc["user_code"], "device_code": device_code, "verification_url": url,
            "expires_in": str(flows.DEVICE_CODE_LIFETIME), "interval": str(doc["interval"]), "message": message,
        }
    return {
        "user_code": doc["user_code"], "device_code": device_code, "verification_uri": url,
        "expires_in": flows.DEVICE_CODE_LIFETIME, "interval": doc["interval"], "message": message,
    }


class DeviceCode:
    grant_types = ("urn:ietf:params:oauth:grant-type:device_code", "device_code")
    confidential_only = False

    def authorize(self, ctx: GrantContext) -> Issue:
        from akslocal.identity.resources import ResourceAsk

        request = ctx.request
        code = request.get("device_code") or request.get("code")
        if code is None:
            raise errors.missing_parameter("device_code")
        key = flows.code_key(code)
        record = ctx.tx.get_record(flows.DEVICE_CODES, key)
        if record is None or record.doc["client_id"].lower() != ctx.client.app_id.lower():
            raise errors.bad_verification_code()
        doc = record.doc
        now = ctx.now
        if doc["status"] == "redeemed":
            raise errors.code_redeemed()
        if now >= doc["expires"]:
            raise errors.expired_device_code()
        last = doc.get("last_poll")
        too_fast = last is not None and now - last < doc["interval"] - POLL_SLACK
        if doc["status"] == "pending":
            interval = doc["interval"] + 5 if too_fast else doc["interval"]
            ctx.tx.put(flows.DEVICE_CODES, key, {**doc, "last_poll": now, "interval": interval},
                       expect_rev=record.rev)
            raise persist(errors.slow_down() if too_fast else errors.authorization_pending())
        if doc["status"] == "declined":
            ctx.tx.put(flows.DEVICE_CODES, key, {**doc, "status": "redeemed", "user_code": f"done:{key}"},
                       expect_rev=record.rev)
            raise persist(errors.authorization_declined())
        # approved: redeem exactly once
        ctx.tx.put(flows.DEVICE_CODES, key, {**doc, "status": "redeemed", "user_code": f"done:{key}",
                                             "last_poll": now}, expect_rev=record.rev)
        tenant_id = doc["user_tenant_id"]
        if ctx.tenant is not None and ctx.tenant.id != tenant_id:
            raise errors.bad_verification_code()
        user = dv.get_user(ctx.tx, tenant_id, doc["user_id"])
        if user is None or not user.account_enabled:
            raise errors.account_disabled()
        ask = ResourceAsk.from_doc(doc["ask"])
        return Issue(tenant_id=tenant_id, ask=ask, user=user, amr=list(doc.get("amr") or ["pwd"]))
