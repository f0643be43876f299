"""Who is calling Graph, and may they do this?

Delegated tokens (with ``scp``) are limited by their scopes AND by the signed-in user's
directory roles; app-only tokens by their ``roles`` (application permissions).  Denials are
Graph's 403 ``Authorization_RequestDenied`` "Insufficient privileges to complete the operation.".
"""

from __future__ import annotations

from dataclasses import dataclass

from akslocal.directory import roles as directory_roles
from akslocal.directory import service_principals, tenants, users
from akslocal.graph.errors import GraphError, denied

_DIR_READ = {"Directory.Read.All", "Directory.ReadWrite.All"}
_AS_USER = {"Directory.AccessAsUser.All"}
_USERS_READ = {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"} | _DIR_READ
_GROUPS_READ = {
    "GroupMember.Read.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
} | _DIR_READ
_APPS_READ = {"Application.Read.All", "Application.ReadWrite.All"} | _DIR_READ

# permission -> (delegated scopes, application roles); any one of them suffices.
PERMISSIONS: dict[str, tuple[set[str], set[str]]] = {
    "me": ({"User.Read", "User.ReadWrite"} | _USERS_READ | _AS_USER, set()),
    "me.memberships": ({"User.Read"} | _GROUPS_READ | _AS_USER, set()),
    "users.read": (_USERS_READ | _AS_USER, _USERS_READ - {"User.ReadBasic.All"}),
    "users.write": (
        {"User.ReadWrite.All", "Directory.ReadWrite.All"} | _AS_USER,
        {"User.ReadWrite.All", "Directory.ReadWrite.All"},
    ),
    "groups.read": (_GROUPS_READ | _AS_USER, _GROUPS_READ),
    "groups.write": (
        {"Group.ReadWrite.All", "GroupMember.ReadWrite.All", "Directory.ReadWrite.All"} | _AS_USER,
        {"Group.ReadWrite.All", "GroupMember.ReadWrite.All", "Directory.ReadWrite.All"},
    ),
    "apps.read": (_APPS_READ | _AS_USER, _APPS_READ),
    "apps.write": ({"Application.ReadWrite.All"} | _AS_USER, {"Application.ReadWrite.All"}),
    "grants.write": ({"DelegatedPermissionGrant.ReadWrite.All"} | _AS_USER, {"DelegatedPermissionGrant.ReadWrite.All"}),
    "assignments.write": ({"AppRoleAssignment.ReadWrite.All"} | _AS_USER, {"AppRoleAssignment.ReadWrite.All"}),
    "roles.read": (
        {"RoleManagement.Read.Directory", "RoleManagement.ReadWrite.Directory"} | _DIR_READ | _AS_USER,
        {"RoleManagement.Read.Directory", "RoleManagement.ReadWrite.Directory"} | _DIR_READ,
    ),
    "roles.write": ({"RoleManagement.ReadWrite.Directory"} | _AS_USER, {"RoleManagement.ReadWrite.Directory"}),
    "invite": (
        {"User.Invite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"} | _AS_USER,
        {"User.Invite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"},
    ),
}

# Directory roles a delegated caller needs on top of the scope (None: any member of the tenant).
ROLE_NEEDED: dict[str, frozenset[str] | None] = {
    "users.write": directory_roles.USER_ADMIN_ROLES,
    "groups.write": directory_roles.GROUP_ADMIN_ROLES,
    "roles.write": frozenset({directory_roles.GLOBAL_ADMINISTRATOR, directory_roles.PRIVILEGED_ROLE_ADMINISTRATOR}),
    "assignments.write": directory_roles.APP_ADMIN_ROLES | {directory_roles.PRIVILEGED_ROLE_ADMINISTRATOR},
}


@dataclass(frozen=True)
class Caller:
    tenant_id: str
    user_id: str | None  # the signed-in user (delegated), None for app-only
    app_id: str | None
    client_sp_id: str | None
    scopes: frozenset[str]
    app_roles: frozenset[str]
    role_templates: frozenset[str]

    @property
    def delegated(self) -> bool:
        return self.user_id is not None

    @property
    def actor_id(self) -> str | None:
        """The user a domain rule judges (None: the app's permission already authorised it)."""
        return self.user_id


def caller_from_claims(tx, claims: dict) -> Caller:
    tid = str(claims.get("tid", "")).lower()
    if tenants.get_tenant(tx, tid) is None:
        raise GraphError(401, "InvalidAuthenticationToken", "The token's tenant does not exist.")
    app_id = claims.get("appid") or claims.get("azp")
    sp = service_principals.find_by_app_id(tx, tid, app_id) if isinstance(app_id, str) else None
    scp = claims.get("scp")
    if isinstance(scp, str) and isinstance(claims.get("oid"), str):
        user = users.get_user(tx, tid, claims["oid"])
        if user is None or not user.account_enabled:
            raise GraphError(401, "InvalidAuthenticationToken", "The signed-in user does not exist or is disabled.")
        templates = frozenset(directory_roles.role_template_ids_of(tx, tid, user.id))
        return Caller(tid, user.id, app_id, sp.id if sp else None, frozenset(scp.split()), frozenset(), templates)
    token_roles = claims.get("roles") if isinstance(claims.get("roles"), list) else []
    if sp is None or not sp.account_enabled:
        raise GraphError(
            401, "InvalidAuthenticationToken", "The calling application has no enabled service principal in the tenant."
        )
    templates = frozenset(directory_roles.role_template_ids_of(tx, tid, sp.id))
    return Caller(tid, None, app_id, sp.id, frozenset(), frozenset(str(r) for r in token_roles), templates)


def allowed(caller: Caller, permission: str) -> bool:
    scopes, app_roles = PERMISSIONS[permission]
    if caller.delegated:
        if not scopes & caller.scopes:
            return False
        needed = ROLE_NEEDED.get(permission)
        return needed is None or bool(needed & caller.role_templates)
    # An app holding a directory role (e.g. Directory Readers) may use it too.
    if app_roles & caller.app_roles:
        return True
    readers = directory_roles.READER_ROLES | {directory_roles.GLOBAL_ADMINISTRATOR}
    return permission.endswith(".read") and bool(readers & caller.role_templates)


def require(caller: Caller, permission: str) -> None:
    if not allowed(caller, permission):
        raise denied()


def is_app_admin(caller: Caller) -> bool:
    return bool(directory_roles.APP_ADMIN_ROLES & caller.role_templates)


def require_app_owner_or_admin(caller: Caller, owner_ids: tuple[str, ...]) -> None:
    """Delegated writes to an app registration: an application administrator, or one of its owners."""
    require(caller, "apps.write")
    if caller.delegated and not is_app_admin(caller) and caller.user_id not in owner_ids:
        raise denied()
