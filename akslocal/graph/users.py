"""/me, /users, /invitations, /organization."""

from __future__ import annotations

from akslocal.directory import tenants, users, validate
from akslocal.directory.models import User
from akslocal.graph import authz, render
from akslocal.graph.body import boolean, check_keys, obj, string, string_list
from akslocal.graph.errors import bad_request, not_found
from akslocal.graph.request import Ctx, route

TYPE = "microsoft.graph.user"
_SAMPLE = render.user(User(id="", tenant_id="", upn="", display_name=""))
_WRITABLE = {
    "displayName": "display_name",
    "givenName": "given_name",
    "surname": "surname",
    "mail": "mail",
    "accountEnabled": "account_enabled",
    "jobTitle": "job_title",
    "mailNickname": "mail_nickname",
    "userPrincipalName": "upn",
    "otherMails": "other_mails",
}
# Accepted and not kept (profile fields akslocal does not model).
_IGNORED = {
    "usageLocation",
    "businessPhones",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "department",
    "companyName",
    "city",
    "country",
    "state",
    "streetAddress",
    "postalCode",
    "passwordPolicies",
}


def user_by_ref(ctx: Ctx, ref: str) -> User:
    """The user named by object id or UPN in the caller's tenant; Graph's 404 otherwise."""
    user = (
        users.get_user(ctx.tx, ctx.tenant_id, ref)
        if validate.is_guid(ref)
        else users.find_by_upn(ctx.tx, ctx.tenant_id, ref)
    )
    if user is None:
        raise not_found(ref)
    return user


def me(ctx: Ctx) -> dict:
    if not ctx.caller.delegated:
        raise bad_request("/me request is only valid with delegated authentication flow.", "BadRequest")
    authz.require(ctx.caller, "me")
    q = ctx.query(TYPE, _SAMPLE, collection=False)
    user = user_by_ref(ctx, ctx.caller.user_id)
    return ctx.entity("users/$entity", render.user(user), select=q.select, default=render.USER_DEFAULT)


def list_users(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "users.read")
    objs = [render.user(u) for u in users.list_users(ctx.tx, ctx.tenant_id)]
    return ctx.collection("users", objs, type_name=TYPE, sample=_SAMPLE, default=render.USER_DEFAULT)


def get_user(ctx: Ctx, id: str) -> dict:
    if not (ctx.caller.delegated and id.lower() in (ctx.caller.user_id, "me")):
        authz.require(ctx.caller, "users.read")
    q = ctx.query(TYPE, _SAMPLE, collection=False)
    return ctx.entity("users/$entity", render.user(user_by_ref(ctx, id)), select=q.select, default=render.USER_DEFAULT)


def _changes(body: dict) -> dict:
    changes = {}
    for prop, attr in _WRITABLE.items():
        if prop in body:
            value = body[prop]
            if prop == "accountEnabled":
                value = boolean(body, prop)
            elif prop == "otherMails":
                value = string_list(value, prop)
            elif value is not None and not isinstance(value, str):
                raise bad_request(
                    f"Invalid value specified for property '{prop}': expected a string.", "Request_BadRequest"
                )
            changes[attr] = value
    return changes


def create_user(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "users.write")
    body = ctx.json()
    check_keys(body, set(_WRITABLE) | {"passwordProfile"}, _IGNORED)
    profile = obj(body.get("passwordProfile"), "passwordProfile")
    check_keys(profile, {"password", "forceChangePasswordNextSignIn", "forceChangePasswordNextSignInWithMfa"})
    for required in ("displayName", "userPrincipalName", "mailNickname", "accountEnabled"):
        if required not in body:
            raise bad_request(f"Property '{required}' is required when creating the object.", "Request_BadRequest")
    if "password" not in profile:
        raise bad_request("Property 'passwordProfile' is required when creating the object.", "Request_BadRequest")
    c = _changes(body)
    user = users.create_user(
        ctx.tx,
        ctx.tenant_id,
        upn=c["upn"],
        display_name=c["display_name"],
        password=profile["password"],
        now=ctx.now,
        entropy=ctx.services.entropy,
        mail=c.get("mail"),
        account_enabled=c["account_enabled"],
        given_name=c.get("given_name"),
        surname=c.get("surname"),
        mail_nickname=c.get("mail_nickname"),
        job_title=c.get("job_title"),
    )
    ctx.status = 201
    return ctx.entity("users/$entity", render.user(user), default=render.USER_DEFAULT)


def update_user(ctx: Ctx, id: str) -> None:
    authz.require(ctx.caller, "users.write")
    body = ctx.json()
    check_keys(body, set(_WRITABLE) | {"passwordProfile"}, _IGNORED)
    user = user_by_ref(ctx, id)
    changes = _changes(body)
    if changes:
        users.update_user(ctx.tx, ctx.tenant_id, user.id, changes)
    if "passwordProfile" in body:
        profile = obj(body["passwordProfile"], "passwordProfile")
        check_keys(profile, {"password", "forceChangePasswordNextSignIn", "forceChangePasswordNextSignInWithMfa"})
        if "password" in profile:
            users.set_password(ctx.tx, ctx.tenant_id, user.id, profile["password"], ctx.services.entropy)


def delete_user(ctx: Ctx, id: str) -> None:
    authz.require(ctx.caller, "users.write")
    user = user_by_ref(ctx, id)
    if user.id == ctx.caller.user_id:
        raise bad_request("You cannot delete yourself.", "Request_BadRequest")
    users.delete_user(ctx.tx, ctx.tenant_id, user.id)


def invite(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "invite")
    if ctx.caller.delegated:
        me = users.get_user(ctx.tx, ctx.tenant_id, ctx.caller.user_id)
        if me is not None and me.user_type == "Guest":
            raise authz.denied()
    body = ctx.json()
    check_keys(
        body,
        {
            "invitedUserEmailAddress",
            "inviteRedirectUrl",
            "invitedUserDisplayName",
            "sendInvitationMessage",
            "invitedUserType",
            "invitedUserMessageInfo",
        },
    )
    email = string(body, "invitedUserEmailAddress", required=True)
    redirect = string(body, "inviteRedirectUrl", required=True)
    validate.uri(redirect, "inviteRedirectUrl")
    boolean(body, "sendInvitationMessage")
    if body.get("invitedUserType", "Guest") not in ("Guest", "Member"):
        raise bad_request("invitedUserType must be Guest or Member.", "Request_BadRequest")
    guest = users.invite_guest(
        ctx.tx,
        ctx.tenant_id,
        email=email,
        display_name=string(body, "invitedUserDisplayName"),
        now=ctx.now,
        entropy=ctx.services.entropy,
    )
    ctx.status = 201
    return {
        "@odata.context": f"{ctx.base}/$metadata#invitations/$entity",
        "id": guest.id,
        "inviteRedeemUrl": f"{ctx.services.settings.public_url}/redeem?tenant={ctx.tenant_id}&user={guest.id}",
        "invitedUserDisplayName": guest.display_name,
        "invitedUserType": "Guest",
        "invitedUserEmailAddress": email,
        "sendInvitationMessage": bool(body.get("sendInvitationMessage", False)),
        "resetRedemption": False,
        "inviteRedirectUrl": redirect,
        "status": "Completed" if guest.home_object_id else "PendingAcceptance",
        "invitedUser": {"id": guest.id},
    }


def organization(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "me") if ctx.caller.delegated else authz.require(ctx.caller, "users.read")
    tenant = tenants.require_tenant(ctx.tx, ctx.tenant_id)
    sample = render.organization(tenant)
    return ctx.collection("organization", [sample], type_name="microsoft.graph.organization", sample=sample)


USER_CONSENT_POLICY = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"


def _authorization_policy(ctx: Ctx) -> dict:
    tenant = tenants.require_tenant(ctx.tx, ctx.tenant_id)
    return {
        "@odata.context": f"{ctx.base}/$metadata#policies/authorizationPolicy/$entity",
        "id": "authorizationPolicy",
        "displayName": "Authorization Policy",
        "allowInvitesFrom": "everyone",
        "defaultUserRolePermissions": {
            "allowedToCreateApps": True,
            "allowedToCreateSecurityGroups": True,
            "allowedToReadOtherUsers": True,
            "permissionGrantPoliciesAssigned": [USER_CONSENT_POLICY] if tenant.user_consent_allowed else [],
        },
    }


def get_authorization_policy(ctx: Ctx) -> dict:
    authz.require(ctx.caller, "me") if ctx.caller.delegated else authz.require(ctx.caller, "users.read")
    return _authorization_policy(ctx)


def update_authorization_policy(ctx: Ctx) -> None:
    """Only the user-consent setting is modelled: whether users may consent to apps themselves."""
    authz.require(ctx.caller, "roles.write")
    body = ctx.json()
    check_keys(body, {"defaultUserRolePermissions"}, {"allowInvitesFrom", "guestUserRoleId", "blockMsolPowerShell"})
    perms = obj(body.get("defaultUserRolePermissions"), "defaultUserRolePermissions")
    check_keys(
        perms,
        {"permissionGrantPoliciesAssigned"},
        {"allowedToCreateApps", "allowedToCreateSecurityGroups", "allowedToReadOtherUsers"},
    )
    if "permissionGrantPoliciesAssigned" in perms:
        policies = string_list(perms["permissionGrantPoliciesAssigned"], "permissionGrantPoliciesAssigned")
        tenants.set_user_consent(
            ctx.tx, ctx.tenant_id, any(p.startswith("ManagePermissionGrantsForSelf") for p in policies)
        )


ROUTES = [
    route("GET", "policies/authorizationPolicy", get_authorization_policy),
    route("PATCH", "policies/authorizationPolicy", update_authorization_policy),
    route("GET", "me", me),
    route("GET", "users", list_users),
    route("POST", "users", create_user),
    route("GET", "users/{id}", get_user),
    route("PATCH", "users/{id}", update_user),
    route("DELETE", "users/{id}", delete_user),
    route("POST", "invitations", invite),
    route("GET", "organization", organization),
]
