"""The token endpoint: the steps every grant shares, and the one place responses are written.

1. tenant (``common`` / ``organizations`` are resolved later, from the user or the assertion);
2. the grant by ``grant_type`` (AADSTS70003);
3. client authentication (secret in the body or HTTP Basic; public clients present none);
4. ``grant.authorize`` decides who the token is for;
5. resource, token version, consent and claims; minting; the response (v1 strings, v2 ints).

Everything runs in one store transaction.  An error rolls it back, except errors marked
``persist`` (poll timestamps, refresh-token family revocation, failed-password counters),
which must be remembered even though the request fails.  Every issue and every failure is
written to the sign-in log.
"""

from __future__ import annotations

from typing import Any

from akslocal.directory.errors import DirectoryError
from akslocal.identity import apptokens, errors, refresh, resources, signins, tokens
from akslocal.identity import directory_view as dv
from akslocal.identity.errors import OAuthError
from akslocal.identity.grants import authorization_code, client_credentials, device_code, on_behalf_of, password
from akslocal.identity.grants import refresh_token as refresh_grant
from akslocal.identity.grants.base import Client, Grant, GrantContext, Issue, TokenRequest
from akslocal.identity.keys import b64url, keyring
from akslocal.store import Conflict

GRANTS: dict[str, Grant] = {}
for _grant in (
    client_credentials.ClientCredentials(),
    password.Password(),
    device_code.DeviceCode(),
    refresh_grant.RefreshToken(),
    authorization_code.AuthorizationCode(),
    on_behalf_of.OnBehalfOf(),
):
    for _name in _grant.grant_types:
        GRANTS[_name] = _grant

_QUIET = frozenset({"authorization_pending", "slow_down"})  # polling, not sign-ins


def lifetime_and_token_id(entropy) -> tuple[int, str]:
    """A token's lifetime (Entra: random, 60 to 90 minutes, 75 on average) and its ``uti``, from one draw."""
    raw = entropy.token_bytes(18)
    return 3600 + int.from_bytes(raw[:2], "big") % 1801, b64url(raw[2:])


def handle(services: Any, request: TokenRequest) -> tuple[int, dict[str, Any]]:
    """Run a token request; returns (HTTP status, JSON body)."""
    failure: OAuthError | None = None
    context: dict[str, Any] = {}
    fast_key = apptokens.cache_key(request)
    if fast_key is not None:
        plan = apptokens.plan_cache(services).get(fast_key)
        if plan is not None:
            now = services.clock.now()
            body = app_token_response(services, request, plan, now)
            apptokens.signin_buffer(services).add(**_app_signin(request, plan, now))
            return 200, body
    context["fast_key"] = fast_key
    keyring(services).active()  # load (or, on a fresh store, create) the key before the write transaction
    try:
        with services.store.transaction() as tx:
            try:
                return 200, _token(services, tx, request, context)
            except OAuthError as err:
                if not getattr(err, "persist", False):
                    raise
                failure = err
            except DirectoryError as err:  # a directory rule the request broke: nothing is written
                raise OAuthError("invalid_request", None, err.message) from None
    except OAuthError as err:
        failure = err
    except Conflict:  # another request redeemed the same code or refresh token first
        failure = errors.invalid_grant("The provided grant was redeemed by a concurrent request.")
    assert failure is not None
    trace_id = services.entropy.guid()
    correlation_id = request.correlation_id or services.entropy.guid()
    if failure.error not in _QUIET:
        with services.store.transaction() as tx:
            signins.record(
                tx, services.entropy, now=services.clock.now(), tenant_id=context.get("tenant_id"),
                app_id=request.client_id, app_name=context.get("app_name"), upn=context.get("upn"),
                user_id=context.get("user_id"), grant_type=request.grant_type[:100], error_code=failure.code,
                failure_reason=failure.message[:300], ip=request.client_ip, correlation_id=correlation_id,
            )
    return failure.status, errors.error_body(
        failure, now=services.clock.now(), trace_id=trace_id, correlation_id=correlation_id,
        public_url=services.settings.public_url,
    )


def resolve_tenant(tx, ref: str):
    """The directory tenant for a path segment; None for common/organizations; AADSTS90002 if unknown."""
    if ref.lower() in dv.COMMON_TENANTS:
        return None
    tenant = dv.resolve_tenant(tx, ref) if len(ref) <= 256 else None
    if tenant is None:
        raise errors.tenant_not_found(ref)
    return tenant


def authenticate_client(services, tx, request: TokenRequest, tenant, grant: Grant) -> Client:
    client_id = request.client_id
    if not client_id:
        raise errors.missing_parameter("client_id")
    app = dv.client_app(tx, client_id) if len(client_id) <= 256 else None
    if app is None:
        raise errors.app_not_found(client_id, tenant.id if tenant else request.tenant_ref)
    if request.get("client_assertion"):
        raise OAuthError("invalid_client", 700027, "Client assertion failed signature validation.", status=401)
    secret = request.client_secret
    if secret:
        if app.public_client and not grant.confidential_only:
            raise errors.public_client_secret()
        home = tenant.id if tenant is not None else app.tenant_id
        if not dv.verify_client_secret(tx, home, app.app_id, secret, services.clock.now()):
            raise errors.invalid_client_secret(app.app_id)
        return Client(app.app_id, app, app.display_name, tokens.CLIENT_AUTH_SECRET, public=False)
    allows_public = getattr(grant, "allows_public_client", None)
    public_ok = allows_public(request, app) if allows_public else app.public_client
    if grant.confidential_only or not public_ok:
        raise errors.client_secret_required()
    return Client(app.app_id, app, app.display_name, tokens.CLIENT_AUTH_PUBLIC, public=True)


def _token(services, tx, request: TokenRequest, context: dict[str, Any]) -> dict[str, Any]:
    grant_type = request.grant_type
    if not grant_type:
        raise errors.missing_parameter("grant_type")
    tenant = resolve_tenant(tx, request.tenant_ref)
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise errors.unsupported_grant_type(grant_type)
    client = authenticate_client(services, tx, request, tenant, grant)
    context["app_name"] = client.display_name
    ctx = GrantContext(services, tx, request, tenant, client, fast_key=context.get("fast_key"))
    issue = grant.authorize(ctx)
    context.update(tenant_id=issue.tenant_id, upn=issue.upn_used or getattr(issue.user, "upn", None),
                   user_id=getattr(issue.user, "id", None))
    return mint(ctx, issue, grant_type=grant_type)


def user_facts(tx, user, tenant_id: str) -> tokens.UserFacts:
    home = user.home_tenant_id or tenant_id
    return tokens.UserFacts(
        object_id=user.id, tenant_id=tenant_id, upn=user.upn, display_name=user.display_name,
        user_type=user.user_type, home_tenant_id=home, given_name=user.given_name,
        family_name=user.surname, mail=user.mail,
    )


def mint(ctx: GrantContext, issue: Issue, *, grant_type: str) -> dict[str, Any]:
    services, tx, request, client = ctx.services, ctx.tx, ctx.request, ctx.client
    tenant_id = issue.tenant_id
    client_sp = dv.service_principal(tx, tenant_id, client.app_id)
    if client_sp is None:
        raise errors.app_not_found(client.app_id, tenant_id)
    ask = issue.ask or resources.parse_scope("openid profile")
    resource = resources.resolve(tx, tenant_id, ask, edge_url=services.settings.public_url)
    now = int(services.clock.now())
    lifetime, uti = lifetime_and_token_id(services.entropy)
    user = issue.user
    scp: list[str] = []
    roles: list[str] = []
    groups = wids = None
    facts_user = None
    if user is not None:
        try:
            scp = resources.delegated_scopes(tx, tenant_id, client.app_id, client.app, client_sp, resource, user.id)
        except resources.ConsentNeeded as exc:
            raise errors.consent_required(client.app_id, client.display_name, issue.consent_interactive) from exc
        claims_kind = dv.group_membership_claims(resource.app)
        if claims_kind in ("SecurityGroup", "All", "ApplicationGroup"):
            groups = dv.transitive_group_ids(tx, tenant_id, user.id)
            if claims_kind == "SecurityGroup":
                groups = dv.security_group_ids(tx, tenant_id, groups)
            elif claims_kind == "ApplicationGroup":
                groups = dv.application_group_ids(tx, tenant_id, groups, resource.sp.id)
        if claims_kind in ("SecurityGroup", "DirectoryRole", "All"):
            wids = dv.role_template_ids(tx, tenant_id, user.id)
        facts_user = user_facts(tx, user, tenant_id)
    else:
        plan = apptokens.AppTokenPlan(
            tenant_id=tenant_id, client_app_id=client.app_id, client_name=client.display_name,
            client_auth=client.auth, client_sp_id=client_sp.id, version=resource.version,
            audience=resource.audience, resource=ask.resource, resource_app_id=resource.sp.app_id,
            resource_name=resource.sp.display_name,
            roles=tuple(dv.app_role_values(tx, client_sp.id, resource.sp.id)),
        )
        body = app_token_response(services, request, plan, now)
        signins.record(tx, services.entropy, **_app_signin(request, plan, now))
        if ctx.fast_key is not None and client.auth == tokens.CLIENT_AUTH_SECRET:
            apptokens.plan_cache(services).put(ctx.fast_key, plan)
        return body
    facts = tokens.AccessTokenFacts(
        version=resource.version, tenant_id=tenant_id, audience=resource.audience, client_app_id=client.app_id,
        client_auth=client.auth, issued_at=now, lifetime=lifetime, token_id=uti,
        public_url=services.settings.public_url, subject_object_id=user.id if user is not None else client_sp.id,
        user=facts_user, scopes=scp, roles=roles, groups=groups, wids=wids, amr=issue.amr,
        client_capabilities=request.client_capabilities,
    )
    key = keyring(services).active()
    access_token = tokens.sign(tokens.access_token_claims(facts), key, include_x5t=resource.version == 1)

    body: dict[str, Any] = {"token_type": "Bearer"}
    if request.version == 1:
        if user is not None:
            body["scope"] = resources.echoed_scope(resource, scp, version=1)
        body.update({
            "expires_in": str(lifetime), "ext_expires_in": str(lifetime), "expires_on": str(now + lifetime),
            "not_before": str(now), "resource": ask.resource,
        })
    else:
        if user is not None:
            body["scope"] = resources.echoed_scope(resource, scp, version=2)
        body.update({"expires_in": lifetime, "ext_expires_in": lifetime})
    body["access_token"] = access_token
    if user is not None:
        oidc = sorted(ask.oidc | set(issue.refresh_oidc or ()))
        wants_rt = issue.issue_refresh_token
        if wants_rt is None:
            wants_rt = request.version == 1 or "offline_access" in oidc
        if wants_rt:
            body["refresh_token"] = refresh.issue(
                tx, services.entropy, now=now, family=issue.refresh_family, client_id=client.app_id,
                tenant_id=tenant_id, user_id=user.id, amr=list(issue.amr), oidc=oidc,
            )
        if request.version == 1 or "openid" in oidc:
            id_claims = tokens.id_token_claims(
                user=facts_user, client_app_id=client.app_id, public_url=services.settings.public_url,
                issued_at=now, lifetime=lifetime, token_id=uti, nonce=issue.nonce,
            )
            body["id_token"] = tokens.sign(id_claims, key, include_x5t=False)
        if request.wants_client_info:
            body["client_info"] = tokens.client_info(user.id, tenant_id)
    signins.record(
        tx, services.entropy, now=now, tenant_id=tenant_id, app_id=client.app_id, app_name=client.display_name,
        user_id=user.id if user is not None else None, upn=getattr(user, "upn", None),
        resource_id=resource.sp.app_id, resource_name=resource.sp.display_name, grant_type=grant_type,
        ip=request.client_ip, credential_type="clientSecret" if client.auth == tokens.CLIENT_AUTH_SECRET else "none",
        correlation_id=request.correlation_id or None,
    )
    return body


def app_token_response(services, request: TokenRequest, plan: apptokens.AppTokenPlan, at: float) -> dict[str, Any]:
    """Mint and sign an app-only token from a plan, issued at ``at`` (no store access: the hot path)."""
    now = int(at)
    lifetime, uti = lifetime_and_token_id(services.entropy)
    facts = tokens.AccessTokenFacts(
        version=plan.version, tenant_id=plan.tenant_id, audience=plan.audience, client_app_id=plan.client_app_id,
        client_auth=plan.client_auth, issued_at=now, lifetime=lifetime, token_id=uti,
        public_url=services.settings.public_url, subject_object_id=plan.client_sp_id, roles=plan.roles,
        client_capabilities=request.client_capabilities,
    )
    key = keyring(services).active()
    access_token = tokens.sign(tokens.access_token_claims(facts), key, include_x5t=plan.version == 1)
    if request.version == 1:
        return {
            "token_type": "Bearer", "expires_in": str(lifetime), "ext_expires_in": str(lifetime),
            "expires_on": str(now + lifetime), "not_before": str(now), "resource": plan.resource,
            "access_token": access_token,
        }
    return {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access_token}


def _app_signin(request: TokenRequest, plan: apptokens.AppTokenPlan, now: float) -> dict[str, Any]:
    return {
        "now": now, "tenant_id": plan.tenant_id, "app_id": plan.client_app_id,
        "app_name": plan.client_name, "resource_id": plan.resource_app_id, "resource_name": plan.resource_name,
        "grant_type": "client_credentials", "ip": request.client_ip, "credential_type": "clientSecret",
        "correlation_id": request.correlation_id or None,
    }
