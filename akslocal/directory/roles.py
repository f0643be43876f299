"""Directory roles: the built-in role templates, their role objects per tenant, and role members.

Role objects (Graph ``directoryRole``) are created for every template when a tenant is
created, so ``/directoryRoles`` lists them all; members are users, groups or service
principals, and a member of a group that holds a role holds it too (role-assignable groups).
"""

from __future__ import annotations

from akslocal.directory import errors, groups
from akslocal.directory.kinds import DIRECTORY_ROLES, ROLE_MEMBERS
from akslocal.directory.models import DirectoryRole, from_doc, to_doc
from akslocal.store import Tx

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
APPLICATION_ADMINISTRATOR = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
CLOUD_APPLICATION_ADMINISTRATOR = "158c047a-c907-4556-b7ef-446551a6b5f7"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
GROUPS_ADMINISTRATOR = "fdd7a751-b60b-444a-984c-02652fe8fa1c"
PRIVILEGED_ROLE_ADMINISTRATOR = "e8611ab8-c189-46e8-94e1-60213ab1f814"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
DIRECTORY_WRITERS = "9360feb5-f418-4baa-8175-e2a00bac4301"
GUEST_INVITER = "95e79109-95c0-4d8e-aee3-d01accf2d47b"
SECURITY_ADMINISTRATOR = "194ae4cb-b126-40b2-bd5b-6091b380977d"

TEMPLATES: dict[str, tuple[str, str]] = {
    GLOBAL_ADMINISTRATOR: (
        "Global Administrator",
        "Can manage all aspects of Azure AD and Microsoft services that use Azure AD identities.",
    ),
    APPLICATION_ADMINISTRATOR: (
        "Application Administrator",
        "Can create and manage all aspects of app registrations and enterprise apps.",
    ),
    CLOUD_APPLICATION_ADMINISTRATOR: (
        "Cloud Application Administrator",
        "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
    ),
    USER_ADMINISTRATOR: (
        "User Administrator",
        "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
    ),
    GROUPS_ADMINISTRATOR: (
        "Groups Administrator",
        "Members of this role can create/manage groups, create/manage groups settings like naming and "
        "expiration policies, and view groups activity and audit reports.",
    ),
    PRIVILEGED_ROLE_ADMINISTRATOR: (
        "Privileged Role Administrator",
        "Can manage role assignments in Azure AD, and all aspects of Privileged Identity Management.",
    ),
    GLOBAL_READER: ("Global Reader", "Can read everything that a Global Administrator can, but not update anything."),
    DIRECTORY_READERS: (
        "Directory Readers",
        "Can read basic directory information. "
        "Commonly used to grant directory read access to applications and guests.",
    ),
    DIRECTORY_WRITERS: (
        "Directory Writers",
        "Can read and write basic directory information. For granting access to applications, not intended for users.",
    ),
    GUEST_INVITER: ("Guest Inviter", "Can invite guest users independent of the 'members can invite guests' setting."),
    SECURITY_ADMINISTRATOR: (
        "Security Administrator",
        "Can read security information and reports, and manage configuration in Azure AD and Office 365.",
    ),
}

# Roles that may manage app registrations, service principals and their grants.
APP_ADMIN_ROLES = frozenset({GLOBAL_ADMINISTRATOR, APPLICATION_ADMINISTRATOR, CLOUD_APPLICATION_ADMINISTRATOR})
USER_ADMIN_ROLES = frozenset({GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR})
GROUP_ADMIN_ROLES = frozenset({GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, GROUPS_ADMINISTRATOR})
READER_ROLES = frozenset({GLOBAL_READER, DIRECTORY_READERS})


def create_role_objects(tx: Tx, tenant_id: str, entropy) -> None:
    """Activate every role template in a new tenant (idempotent)."""
    for template_id, (name, description) in TEMPLATES.items():
        if tx.get(DIRECTORY_ROLES, f"{tenant_id}/{template_id}") is None:
            role = DirectoryRole(entropy.guid(), tenant_id, template_id, name, description)
            tx.create(DIRECTORY_ROLES, f"{tenant_id}/{template_id}", to_doc(role))


def list_roles(tx: Tx, tenant_id: str) -> list[DirectoryRole]:
    return [from_doc(DirectoryRole, r.doc) for r in tx.find(DIRECTORY_ROLES, "tenant", tenant_id)]


def get_role(tx: Tx, tenant_id: str, ref: str) -> DirectoryRole:
    """A role by its object id or its template id."""
    ref = ref.lower()
    doc = tx.get(DIRECTORY_ROLES, f"{tenant_id}/{ref}")
    if doc is None:
        record = tx.find_one(DIRECTORY_ROLES, "id", f"{tenant_id}/{ref}")
        doc = record.doc if record else None
    if doc is None:
        raise errors.not_found(ref)
    return from_doc(DirectoryRole, doc)


def add_member(tx: Tx, tenant_id: str, template_id: str, principal_id: str) -> None:
    role = get_role(tx, tenant_id, template_id)
    key = f"{tenant_id}/{role.role_template_id}/{principal_id}"
    if tx.get(ROLE_MEMBERS, key) is not None:
        raise errors.DirectoryError(
            errors.BAD_REQUEST,
            "One or more added object references already exist for the following modified properties: 'members'.",
        )
    tx.create(
        ROLE_MEMBERS,
        key,
        {"tenant_id": tenant_id, "role_template_id": role.role_template_id, "principal_id": principal_id},
    )


def ensure_member(tx: Tx, tenant_id: str, template_id: str, principal_id: str) -> None:
    key = f"{tenant_id}/{template_id}/{principal_id}"
    if tx.get(ROLE_MEMBERS, key) is None:
        add_member(tx, tenant_id, template_id, principal_id)


def remove_member(tx: Tx, tenant_id: str, template_id: str, principal_id: str) -> None:
    role = get_role(tx, tenant_id, template_id)
    key = f"{tenant_id}/{role.role_template_id}/{principal_id}"
    if tx.get(ROLE_MEMBERS, key) is None:
        raise errors.not_found(principal_id)
    tx.delete(ROLE_MEMBERS, key)


def remove_principal(tx: Tx, tenant_id: str, principal_id: str) -> None:
    for record in tx.find(ROLE_MEMBERS, "principal", f"{tenant_id}/{principal_id}"):
        tx.delete(ROLE_MEMBERS, record.key)


def member_ids(tx: Tx, tenant_id: str, template_id: str) -> list[str]:
    return [r.doc["principal_id"] for r in tx.find(ROLE_MEMBERS, "role", f"{tenant_id}/{template_id}")]


def role_template_ids_of(tx: Tx, tenant_id: str, principal_id: str) -> list[str]:
    """Template ids of the roles the principal holds, directly or through its groups (the ``wids`` claim)."""
    holders = [f"{tenant_id}/{principal_id}"]
    holders += [f"{tenant_id}/{g}" for g in groups.transitive_group_ids(tx, tenant_id, principal_id)]
    found = {r.doc["role_template_id"] for r in tx.find_many(ROLE_MEMBERS, "principal", holders)}
    return sorted(found)


def is_global_admin(tx: Tx, tenant_id: str, user_id: str) -> bool:
    return GLOBAL_ADMINISTRATOR in role_template_ids_of(tx, tenant_id, user_id)


def holds_any(tx: Tx, tenant_id: str, principal_id: str, templates: frozenset[str]) -> bool:
    return bool(templates.intersection(role_template_ids_of(tx, tenant_id, principal_id)))
