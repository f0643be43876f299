"""Users: members with a password, and guests invited from another tenant (``#EXT#`` UPNs).

A guest has no password here: it signs in with its home tenant's credentials
(:func:`authenticate` checks them and answers with the guest object of this tenant).
"""

from __future__ import annotations

import re

from akslocal.directory import errors, groups, passwords, tenants, validate
from akslocal.directory.kinds import GRANTS, USERS, get_by_id, key
from akslocal.directory.models import GUEST, MEMBER, User, from_doc, to_doc
from akslocal.store import Tx

PASSWORD_POLICY = (
    "The specified password does not comply with password complexity requirements. Please provide a different password."
)
UPDATABLE = {
    "display_name",
    "given_name",
    "surname",
    "mail",
    "account_enabled",
    "job_title",
    "mail_nickname",
    "upn",
    "other_mails",
}


def check_password_policy(password: object) -> str:
    """Entra's rule: 8–256 characters and three of lower, upper, digit, symbol."""
    if not isinstance(password, str) or not 8 <= len(password) <= 256:
        raise errors.bad_request(PASSWORD_POLICY)
    classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if classes < 3:
        raise errors.bad_request(PASSWORD_POLICY)
    return password


def _check_upn_domain(tx: Tx, tenant_id: str, upn: str) -> None:
    tenant = tenants.require_tenant(tx, tenant_id)
    if upn.rsplit("@", 1)[1].lower() not in tenant.domains:
        raise errors.bad_request(
            "The domain portion of the userPrincipalName property is invalid. "
            "You must use one of the verified domain names in your organization."
        )


def _write_new(tx: Tx, user: User) -> User:
    from akslocal.store import AlreadyExists

    try:
        tx.create(USERS, key(user.tenant_id, user.id), to_doc(user))
    except AlreadyExists:
        raise errors.duplicate("userPrincipalName") from None
    return user


def create_user(
    tx: Tx,
    tenant_id: str,
    *,
    upn: str,
    display_name: str,
    password: str,
    now: float,
    entropy,
    mail: str | None = None,
    account_enabled: bool = True,
    given_name: str | None = None,
    surname: str | None = None,
    mail_nickname: str | None = None,
    job_title: str | None = None,
    user_id: str | None = None,
) -> User:
    validate.upn(upn)
    validate.text(display_name, "displayName")
    for prop, value in (("givenName", given_name), ("surname", surname), ("jobTitle", job_title), ("mail", mail)):
        validate.text(value, prop, required=False, max_len=256)
    validate.boolean(account_enabled, "accountEnabled")
    check_password_policy(password)
    _check_upn_domain(tx, tenant_id, upn)
    user = User(
        id=(validate.guid(user_id) if user_id else entropy.guid()),
        tenant_id=tenant_id,
        upn=upn,
        display_name=display_name,
        mail=mail,
        user_type=MEMBER,
        account_enabled=account_enabled,
        home_tenant_id=tenant_id,
        given_name=given_name,
        surname=surname,
        mail_nickname=mail_nickname or upn.split("@")[0],
        job_title=job_title,
        created=now,
        password_hash=passwords.hash_password(password, entropy.token_bytes(16)),
    )
    return _write_new(tx, user)


def get_user(tx: Tx, tenant_id: str, object_id: str) -> User | None:
    return get_by_id(tx, USERS, User, tenant_id, object_id)


def require_user(tx: Tx, tenant_id: str, ref: str) -> User:
    """A user by object id or UPN, or Graph's not-found error."""
    user = get_user(tx, tenant_id, ref) if validate.is_guid(ref) else find_by_upn(tx, tenant_id, ref)
    if user is None:
        raise errors.not_found(ref)
    return user


def find_by_upn(tx: Tx, tenant_id: str, upn: str) -> User | None:
    if not isinstance(upn, str) or not upn or len(upn) > 1024:
        return None
    record = tx.find_one(USERS, "upn", f"{tenant_id}/{upn.lower()}")
    return from_doc(User, record.doc) if record else None


def list_users(tx: Tx, tenant_id: str) -> list[User]:
    return [from_doc(User, r.doc) for r in tx.find(USERS, "tenant", tenant_id)]


def check_password(user: User, password: str) -> bool:
    """Constant time; False for guests (they have no password here) and disabled users alike."""
    return passwords.verify_password(password, user.password_hash)


def authenticate(tx: Tx, tenant_id: str, username: str, password: str) -> User:
    """The user of ``tenant_id`` signing in as ``username`` (a member's UPN, or a guest's home UPN).

    Raises ``AADSTS50034`` (unknown user), ``AADSTS50126`` (wrong password), ``AADSTS50057`` (disabled).
    """
    user = find_by_upn(tx, tenant_id, username)
    checked = user
    if user is None:
        guest = _guest_by_home_upn(tx, tenant_id, username)
        if guest is not None:
            user, checked = guest
    if user is None or checked is None:
        passwords.verify_password(password if isinstance(password, str) else "", None)  # same cost as a real check
        raise errors.DirectoryError(
            errors.USER_NOT_FOUND,
            f"The user account {username!s:.200} does not exist in the tenant and cannot access the application.",
        )
    if not check_password(checked, password):
        raise errors.DirectoryError(
            errors.INVALID_CREDENTIALS, "Error validating credentials due to invalid username or password."
        )
    if not user.account_enabled or not checked.account_enabled:
        raise errors.DirectoryError(errors.USER_DISABLED, "The user account is disabled.")
    return user


def _guest_by_home_upn(tx: Tx, tenant_id: str, username: str) -> tuple[User, User] | None:
    if not isinstance(username, str) or "@" not in username:
        return None
    home = tenants.resolve_tenant(tx, username.rsplit("@", 1)[1])
    if home is None or home.id == tenant_id:
        return None
    home_user = find_by_upn(tx, home.id, username)
    if home_user is None:
        return None
    guest = find_guest(tx, tenant_id, home.id, home_user.id)
    return (guest, home_user) if guest else None


def find_guest(tx: Tx, tenant_id: str, home_tenant_id: str, home_object_id: str) -> User | None:
    records = tx.find(USERS, "home", f"{home_tenant_id}/{home_object_id}")
    for record in records:
        if record.doc["tenant_id"] == tenant_id:
            return from_doc(User, record.doc)
    return None


def guest_upn(email: str, initial_domain: str) -> str:
    """Entra's form for an invited user: ``alice_contoso.com#EXT#@fabrikam.onmicrosoft.com``."""
    return f"{email.replace('@', '_')}#EXT#@{initial_domain}"


def invite_guest(tx: Tx, tenant_id: str, *, email: str, now: float, entropy, display_name: str | None = None) -> User:
    """Invite ``email`` as a guest; when it is a user of another tenant here, link it to that home user."""
    validate.upn(email)
    tenant = tenants.require_tenant(tx, tenant_id)
    if email.rsplit("@", 1)[1].lower() in tenant.domains:
        raise errors.bad_request("The invited user already exists in the directory as a member of this tenant.")
    home = tenants.resolve_tenant(tx, email.rsplit("@", 1)[1])
    home_user = find_by_upn(tx, home.id, email) if home else None
    if home_user is not None:
        existing = find_guest(tx, tenant_id, home_user.tenant_id, home_user.id)
        if existing is not None:
            return existing
    upn = guest_upn(email, tenant.initial_domain)
    existing_upn = find_by_upn(tx, tenant_id, upn)
    if existing_upn is not None:
        return existing_upn
    name = display_name if display_name is not None else (home_user.display_name if home_user else email.split("@")[0])
    validate.text(name, "invitedUserDisplayName")
    user = User(
        id=entropy.guid(),
        tenant_id=tenant_id,
        upn=upn,
        display_name=name,
        mail=email,
        user_type=GUEST,
        account_enabled=True,
        home_tenant_id=home_user.tenant_id if home_user else None,
        home_object_id=home_user.id if home_user else None,
        other_mails=(email,),
        mail_nickname=email.replace("@", "_"),
        external_user_state="Accepted" if home_user else "PendingAcceptance",
        created=now,
    )
    return _write_new(tx, user)


def update_user(tx: Tx, tenant_id: str, object_id: str, changes: dict) -> User:
    user = require_user(tx, tenant_id, object_id)
    for name, value in changes.items():
        if name not in UPDATABLE:
            raise errors.bad_request(f"Property '{name}' is read-only or unknown on resource 'User'.")
        if name == "account_enabled":
            validate.boolean(value, "accountEnabled")
        elif name == "upn":
            validate.upn(value)
            if user.user_type == MEMBER:
                _check_upn_domain(tx, tenant_id, value)
        elif name == "other_mails":
            changes[name] = list(validate.string_list(value, "otherMails"))
        else:
            validate.text(value, name, required=name == "display_name")
    doc = {**to_doc(user), **changes}
    from akslocal.store import AlreadyExists

    try:
        tx.put(USERS, key(tenant_id, user.id), doc)
    except AlreadyExists:
        raise errors.duplicate("userPrincipalName") from None
    return from_doc(User, doc)


def set_password(tx: Tx, tenant_id: str, object_id: str, password: str, entropy) -> None:
    user = require_user(tx, tenant_id, object_id)
    if user.user_type == GUEST:
        raise errors.bad_request("A guest's password is managed by its home tenant.")
    check_password_policy(password)
    hashed = passwords.hash_password(password, entropy.token_bytes(16))
    tx.update(USERS, key(tenant_id, user.id), lambda d: {**d, "password_hash": hashed})


def delete_user(tx: Tx, tenant_id: str, object_id: str) -> None:
    from akslocal.directory import roles

    user = require_user(tx, tenant_id, object_id)
    groups.remove_member_everywhere(tx, tenant_id, user.id)
    roles.remove_principal(tx, tenant_id, user.id)
    for record in tx.find(GRANTS, "principal", f"{tenant_id}/{user.id}"):
        tx.delete(GRANTS, record.key)
    tx.delete(USERS, key(tenant_id, user.id))
