"""Security groups, nested: direct members, and transitive membership for tokens and Graph.

Memberships are records of their own, indexed by group and by member, so "the groups of
X" is one index read per nesting level (BFS with ``find_many``), however many groups.
"""

from __future__ import annotations

from akslocal.directory import errors, validate
from akslocal.directory.kinds import GROUPS, MEMBERSHIPS, SERVICE_PRINCIPALS, USERS, get_by_id, key
from akslocal.directory.models import Group, Membership, from_doc, to_doc
from akslocal.store import Tx

MEMBER_KINDS = {"user": USERS, "group": GROUPS, "servicePrincipal": SERVICE_PRINCIPALS}
_NICKNAME_MAX = 64


def create_group(
    tx: Tx,
    tenant_id: str,
    *,
    display_name: str,
    now: float,
    entropy,
    mail_nickname: str | None = None,
    description: str | None = None,
    security_enabled: bool = True,
    mail_enabled: bool = False,
    group_types: tuple[str, ...] = (),
    group_id: str | None = None,
) -> Group:
    validate.text(display_name, "displayName")
    validate.text(description, "description", required=False, max_len=1024)
    nickname = (
        mail_nickname if mail_nickname is not None else "".join(c for c in display_name if c.isalnum())[:_NICKNAME_MAX]
    )
    validate.text(nickname or "group", "mailNickname", max_len=_NICKNAME_MAX)
    if mail_enabled and "Unified" not in group_types:
        # Graph creates only Microsoft 365 (Unified) groups or security groups.
        raise errors.bad_request("Creating mail-enabled security groups is not supported.")
    for t in group_types:
        if t not in ("Unified", "DynamicMembership"):
            raise errors.bad_request(f"Invalid value specified for property 'groupTypes' of resource 'Group': '{t}'.")
    group = Group(
        id=(group_id or entropy.guid()).lower(),
        tenant_id=tenant_id,
        display_name=display_name,
        description=description,
        mail_nickname=nickname,
        security_enabled=security_enabled,
        mail_enabled=mail_enabled,
        group_types=tuple(group_types),
        created=now,
    )
    tx.create(GROUPS, key(tenant_id, group.id), to_doc(group))
    return group


def get_group(tx: Tx, tenant_id: str, group_id: str) -> Group:
    doc = tx.get(GROUPS, key(tenant_id, group_id)) if validate.is_guid(group_id) else None
    if doc is None:
        raise errors.not_found(group_id)
    return from_doc(Group, doc)


def find_group(tx: Tx, tenant_id: str, group_id: str) -> Group | None:
    return get_by_id(tx, GROUPS, Group, tenant_id, group_id)


def list_groups(tx: Tx, tenant_id: str) -> list[Group]:
    return [from_doc(Group, r.doc) for r in tx.find(GROUPS, "tenant", tenant_id)]


def find_by_display_name(tx: Tx, tenant_id: str, display_name: str) -> list[Group]:
    return [g for g in list_groups(tx, tenant_id) if g.display_name == display_name]


def update_group(tx: Tx, tenant_id: str, group_id: str, changes: dict) -> Group:
    group = get_group(tx, tenant_id, group_id)
    allowed = {"display_name", "description", "mail_nickname"}
    for name, value in changes.items():
        if name not in allowed:
            raise errors.bad_request(f"Property '{name}' is read-only or unknown on resource 'Group'.")
        validate.text(value, name, required=name != "description", max_len=1024 if name == "description" else 256)
    doc = {**to_doc(group), **changes}
    tx.put(GROUPS, key(tenant_id, group.id), doc)
    return from_doc(Group, doc)


def delete_group(tx: Tx, tenant_id: str, group_id: str) -> None:
    group = get_group(tx, tenant_id, group_id)
    for record in tx.find(MEMBERSHIPS, "group", f"{tenant_id}/{group.id}"):
        tx.delete(MEMBERSHIPS, record.key)
    remove_member_everywhere(tx, tenant_id, group.id)
    from akslocal.directory import roles

    roles.remove_principal(tx, tenant_id, group.id)
    tx.delete(GROUPS, key(tenant_id, group.id))


def member_type_of(tx: Tx, tenant_id: str, object_id: str) -> str | None:
    if not validate.is_guid(object_id):
        return None
    for name, kind in MEMBER_KINDS.items():
        if tx.get(kind, key(tenant_id, object_id)) is not None:
            return name
    return None


def add_member(tx: Tx, tenant_id: str, group_id: str, member_id: str) -> Membership:
    group = get_group(tx, tenant_id, group_id)
    member_id = member_id.lower()
    member_type = member_type_of(tx, tenant_id, member_id)
    if member_type is None:
        raise errors.not_found(member_id)
    if member_id == group.id:
        raise errors.bad_request("A group cannot be a member of itself.")
    # Circular iff the new parent is already (transitively) inside the member: walk up from the
    # parent (cheap when groups are built bottom-up) rather than down from the member.
    if member_type == "group" and member_id in transitive_group_ids(tx, tenant_id, group.id):
        raise errors.bad_request("Adding this group would create a circular membership.")
    link_key = f"{tenant_id}/{group.id}/{member_id}"
    if tx.get(MEMBERSHIPS, link_key) is not None:
        raise errors.bad_request(
            "One or more added object references already exist for the following modified properties: 'members'."
        )
    link = Membership(tenant_id, group.id, member_id, member_type)
    tx.create(MEMBERSHIPS, link_key, to_doc(link))
    return link


def ensure_member(tx: Tx, tenant_id: str, group_id: str, member_id: str) -> bool:
    """Add unless already there; True when added (for idempotent fixtures)."""
    if tx.get(MEMBERSHIPS, f"{tenant_id}/{group_id.lower()}/{member_id.lower()}") is not None:
        return False
    add_member(tx, tenant_id, group_id, member_id)
    return True


def remove_member(tx: Tx, tenant_id: str, group_id: str, member_id: str) -> None:
    group = get_group(tx, tenant_id, group_id)
    link_key = f"{tenant_id}/{group.id}/{member_id.lower()}"
    if tx.get(MEMBERSHIPS, link_key) is None:
        raise errors.not_found(member_id)
    tx.delete(MEMBERSHIPS, link_key)


def remove_member_everywhere(tx: Tx, tenant_id: str, member_id: str) -> None:
    for record in tx.find(MEMBERSHIPS, "member", f"{tenant_id}/{member_id}"):
        tx.delete(MEMBERSHIPS, record.key)


def members(tx: Tx, tenant_id: str, group_id: str) -> list[Membership]:
    group = get_group(tx, tenant_id, group_id)
    return [from_doc(Membership, r.doc) for r in tx.find(MEMBERSHIPS, "group", f"{tenant_id}/{group.id}")]


def direct_group_ids(tx: Tx, tenant_id: str, member_id: str) -> list[str]:
    return [r.doc["group_id"] for r in tx.find(MEMBERSHIPS, "member", f"{tenant_id}/{member_id.lower()}")]


def transitive_group_ids(tx: Tx, tenant_id: str, member_id: str) -> list[str]:
    """Every group the member is in, directly or through nested groups (BFS, one query per level)."""
    seen: dict[str, None] = {}
    frontier = [member_id.lower()]
    while frontier:
        records = tx.find_many(MEMBERSHIPS, "member", [f"{tenant_id}/{m}" for m in frontier])
        frontier = []
        for record in records:
            gid = record.doc["group_id"]
            if gid not in seen:
                seen[gid] = None
                frontier.append(gid)
    return list(seen)


def transitive_member_group_ids(tx: Tx, tenant_id: str, group_id: str) -> list[str]:
    """Groups nested (at any depth) inside ``group_id``."""
    return [m.member_id for m in transitive_members(tx, tenant_id, group_id) if m.member_type == "group"]


def transitive_members(tx: Tx, tenant_id: str, group_id: str) -> list[Membership]:
    seen: dict[str, Membership] = {}
    frontier = [group_id.lower()]
    visited_groups = {group_id.lower()}
    while frontier:
        records = tx.find_many(MEMBERSHIPS, "group", [f"{tenant_id}/{g}" for g in frontier])
        frontier = []
        for record in records:
            link = from_doc(Membership, record.doc)
            if link.member_id not in seen:
                seen[link.member_id] = link
            if link.member_type == "group" and link.member_id not in visited_groups:
                visited_groups.add(link.member_id)
                frontier.append(link.member_id)
    return list(seen.values())
