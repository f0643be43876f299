"""Password sign-in shared by ROPC and the sign-in pages: lock-out, constant-cost checks, Entra's errors."""

from __future__ import annotations

from akslocal.identity import directory_view as dv
from akslocal.identity import errors, signins


def persist(err: errors.OAuthError) -> errors.OAuthError:
    err.persist = True  # type: ignore[attr-defined]
    return err


def sign_in(tx, *, tenant, username: str, password: str, now: float) -> dv.SignInUser:
    """The user signing in, or OAuthError (50034 unknown user, 50126 bad password, 50053 locked, 50057 disabled).

    Failed attempts are counted per (tenant, username); the caller must commit on failure.
    """
    if not username or not password or len(password) > 1024:
        raise errors.bad_password()
    tenant_id = tenant.id if tenant is not None else None
    bucket = tenant_id or "organizations"
    if signins.is_locked(tx, bucket, username, now):
        raise persist(errors.account_locked())
    found = dv.find_sign_in_user(tx, tenant_id, username)
    if found is None:
        dv.check_password(_NOBODY, password)  # same cost as a real check: no user enumeration by timing
        signins.note_failure(tx, bucket, username, now)
        raise persist(errors.user_not_found(username, tenant_id or "organizations"))
    if not dv.check_password(found.account, password):
        signins.note_failure(tx, bucket, username, now)
        raise persist(errors.bad_password())
    if not found.account.account_enabled or not found.user.account_enabled:
        raise errors.account_disabled()
    signins.clear_failures(tx, bucket, username)
    return found


class _Nobody:
    password_hash = None
    account_enabled = False


_NOBODY = _Nobody()
