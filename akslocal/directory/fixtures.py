"""Fixture import: tenants, users, nested groups, guests, memberships and roles from YAML.

One file is one write transaction: it imports whole or not at all, and importing it again
changes nothing (objects are matched by tenant domain, UPN, group display name and guest
e-mail).  The format is documented in ``docs/directory.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akslocal.directory import bootstrap, errors, groups, roles, tenants, users
from akslocal.directory.models import Tenant

MAX_EXPANSION = 5000
ROLE_BY_NAME = {name.lower(): template for template, (name, _d) in roles.TEMPLATES.items()}


class FixtureError(Exception):
    """The file is not a valid fixture; ``path`` says where (e.g. ``tenants[0].users[2].upn``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass
class Counts:
    tenants: int = 0
    users: int = 0
    groups: int = 0
    guests: int = 0
    memberships: int = 0
    roles: int = 0
    seen: dict[str, int] = field(default_factory=dict)


def _mapping(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise FixtureError(path, "expected a mapping")
    return value


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FixtureError(path, "expected a list")
    return value


def _only(entry: dict, allowed: set[str], path: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise FixtureError(
            path, f"unknown key(s) {', '.join(map(str, unknown))}; allowed: {', '.join(sorted(allowed))}"
        )


def expand_names(value: Any, path: str) -> list[str]:
    """A list of names where ``{prefix: team-, count: 250[, start: 1]}`` stands for team-1 … team-250."""
    names: list[str] = []
    for i, item in enumerate(_list(value, path)):
        if isinstance(item, str):
            names.append(item)
            continue
        entry = _mapping(item, f"{path}[{i}]")
        _only(entry, {"prefix", "count", "start"}, f"{path}[{i}]")
        prefix, count, start = entry.get("prefix"), entry.get("count"), entry.get("start", 1)
        if (
            not isinstance(prefix, str)
            or not isinstance(count, int)
            or not isinstance(start, int)
            or isinstance(count, bool)
        ):
            raise FixtureError(f"{path}[{i}]", "expected {prefix: <text>, count: <number>[, start: <number>]}")
        if not 0 <= count <= MAX_EXPANSION:
            raise FixtureError(f"{path}[{i}].count", f"must be between 0 and {MAX_EXPANSION}")
        names.extend(f"{prefix}{n}" for n in range(start, start + count))
    return names


def load(path: Path) -> dict:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(str(path), f"cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise FixtureError(str(path), f"not valid YAML: {exc}") from None
    return _mapping(data if data is not None else {}, "(file)")


def import_file(services, path: Path) -> list[str]:
    """Import a fixture file; returns summary lines (for the start banner and `akslocal import`)."""
    data = load(path)
    counts = import_data(services, data)
    return [
        f"Imported {Path(path).name}: {counts.tenants} tenant(s), {counts.users} user(s), {counts.groups} group(s), "
        f"{counts.guests} guest(s), {counts.memberships} membership(s), {counts.roles} role assignment(s) added"
    ]


def import_data(services, data: dict) -> Counts:
    _only(data, {"tenants"}, "(file)")
    now, entropy = services.clock.now(), services.entropy
    counts = Counts()
    with services.store.transaction() as tx:
        default = tenants.default_tenant(tx)
        plan: list[tuple[str, dict, Tenant]] = []
        # Pass 1: tenants, so that guests can refer to users of any tenant in the file.
        for i, raw in enumerate(_list(data.get("tenants"), "tenants")):
            path = f"tenants[{i}]"
            entry = _mapping(raw, path)
            _only(entry, {"domain", "id", "displayName", "domains", "userConsent", "users", "groups", "guests"}, path)
            plan.append((path, entry, _tenant(tx, entry, path, default, counts, now, entropy)))
        try:
            for path, entry, tenant in plan:
                for j, raw in enumerate(_list(entry.get("users"), f"{path}.users")):
                    _user(tx, tenant, _mapping(raw, f"{path}.users[{j}]"), f"{path}.users[{j}]", counts, now, entropy)
            by_name: dict[str, dict[str, str]] = {}
            for path, entry, tenant in plan:
                by_name[tenant.id] = _groups(tx, tenant, entry, path, counts, now, entropy)
            for path, entry, tenant in plan:
                for j, raw in enumerate(_list(entry.get("guests"), f"{path}.guests")):
                    _guest(
                        tx, tenant, _mapping(raw, f"{path}.guests[{j}]"), f"{path}.guests[{j}]", counts, now, entropy
                    )
            for path, entry, tenant in plan:
                _memberships(tx, tenant, entry, path, by_name[tenant.id], counts)
        except errors.DirectoryError as exc:
            raise FixtureError("(file)", exc.message) from None
    return counts


def _fail(path: str, exc: errors.DirectoryError) -> FixtureError:
    return FixtureError(path, exc.message)


def _tenant(tx, entry: dict, path: str, default: Tenant | None, counts: Counts, now, entropy) -> Tenant:
    domain = entry.get("domain")
    if domain in (None, "default"):
        if default is None:
            raise FixtureError(f"{path}.domain", "no default tenant yet (start akslocal once, or name a domain)")
        tenant = default
    else:
        if not isinstance(domain, str):
            raise FixtureError(f"{path}.domain", "expected a domain name")
        tenant = tenants.resolve_tenant(tx, domain)
        if tenant is None:
            try:
                tenant = tenants.create_tenant(
                    tx,
                    initial_domain=domain,
                    display_name=entry.get("displayName") or domain.split(".")[0],
                    tenant_id=entry.get("id"),
                    now=now,
                    entropy=entropy,
                )
            except errors.DirectoryError as exc:
                raise _fail(path, exc) from None
            counts.tenants += 1
        elif entry.get("id") not in (None, tenant.id):
            raise FixtureError(f"{path}.id", f"the domain {domain} belongs to tenant {tenant.id}")
    try:
        for extra in _list(entry.get("domains"), f"{path}.domains"):
            tenant = tenants.add_domain(tx, tenant.id, extra if isinstance(extra, str) else "")
        if "userConsent" in entry:
            tenant = tenants.set_user_consent(tx, tenant.id, entry["userConsent"])
    except errors.DirectoryError as exc:
        raise _fail(path, exc) from None
    return tenant


def _user(tx, tenant: Tenant, entry: dict, path: str, counts: Counts, now, entropy) -> None:
    _only(
        entry,
        {
            "upn",
            "displayName",
            "password",
            "accountEnabled",
            "mail",
            "givenName",
            "surname",
            "jobTitle",
            "roles",
            "groups",
            "id",
        },
        path,
    )
    upn = entry.get("upn")
    if not isinstance(upn, str):
        raise FixtureError(f"{path}.upn", "required (user principal name)")
    if "@" not in upn:
        upn = f"{upn}@{tenant.initial_domain}"
    existing = users.find_by_upn(tx, tenant.id, upn)
    try:
        if existing is None:
            password = entry.get("password")
            if password is None:
                raise FixtureError(f"{path}.password", "required for a new user")
            user = users.create_user(
                tx,
                tenant.id,
                upn=upn,
                display_name=entry.get("displayName") or upn.split("@")[0],
                password=password,
                account_enabled=entry.get("accountEnabled", True),
                mail=entry.get("mail"),
                given_name=entry.get("givenName"),
                surname=entry.get("surname"),
                job_title=entry.get("jobTitle"),
                user_id=entry.get("id"),
                now=now,
                entropy=entropy,
            )
            counts.users += 1
        else:
            user = existing
            changes = {
                attr: entry[prop]
                for prop, attr in (
                    ("displayName", "display_name"),
                    ("accountEnabled", "account_enabled"),
                    ("mail", "mail"),
                )
                if prop in entry and getattr(existing, attr) != entry[prop]
            }
            if changes:
                user = users.update_user(tx, tenant.id, user.id, changes)
            if "password" in entry and not users.check_password(user, str(entry["password"])):
                users.set_password(tx, tenant.id, user.id, entry["password"], entropy)
        for k, role in enumerate(_list(entry.get("roles"), f"{path}.roles")):
            counts.roles += _role(tx, tenant, user.id, role, f"{path}.roles[{k}]")
    except errors.DirectoryError as exc:
        raise _fail(path, exc) from None


def _role(tx, tenant: Tenant, principal_id: str, role: Any, path: str) -> int:
    template = ROLE_BY_NAME.get(str(role).lower(), str(role).lower())
    if template not in roles.TEMPLATES:
        raise FixtureError(
            path, f"unknown directory role {role!r}; known: {', '.join(n for n, _ in roles.TEMPLATES.values())}"
        )
    before = roles.member_ids(tx, tenant.id, template)
    roles.ensure_member(tx, tenant.id, template, principal_id)
    return int(principal_id not in before)


def _groups(tx, tenant: Tenant, entry: dict, path: str, counts: Counts, now, entropy) -> dict[str, str]:
    """Create the tenant's groups (by display name, idempotently); returns name -> id for the tenant."""
    known: dict[str, str] = {}
    for group in groups.list_groups(tx, tenant.id):
        known.setdefault(group.display_name, group.id)
    wanted: list[tuple[str, dict, str]] = []
    for j, raw in enumerate(_list(entry.get("groups"), f"{path}.groups")):
        gpath = f"{path}.groups[{j}]"
        if isinstance(raw, dict) and "prefix" in raw:
            wanted.extend((name, {}, gpath) for name in expand_names([raw], gpath))
            continue
        g = _mapping(raw, gpath) if not isinstance(raw, str) else {"displayName": raw}
        _only(g, {"displayName", "description", "members", "memberOf", "roles", "id"}, gpath)
        if not isinstance(g.get("displayName"), str):
            raise FixtureError(f"{gpath}.displayName", "required")
        wanted.append((g["displayName"], g, gpath))
    # Names used in user/guest "groups:" lists exist too, so a user in 250 groups is one line.
    for key in ("users", "guests"):
        for j, raw in enumerate(_list(entry.get(key), f"{path}.{key}")):
            if isinstance(raw, dict):
                for name in expand_names(raw.get("groups"), f"{path}.{key}[{j}].groups"):
                    wanted.append((name, {}, f"{path}.{key}[{j}].groups"))
    for name, g, gpath in wanted:
        if name in known:
            continue
        try:
            group = groups.create_group(
                tx,
                tenant.id,
                display_name=name,
                description=g.get("description"),
                now=now,
                entropy=entropy,
                group_id=g.get("id"),
            )
        except errors.DirectoryError as exc:
            raise _fail(gpath, exc) from None
        known[name] = group.id
        counts.groups += 1
    return known


def _guest(tx, tenant: Tenant, entry: dict, path: str, counts: Counts, now, entropy) -> None:
    _only(entry, {"email", "displayName", "groups", "roles"}, path)
    email = entry.get("email")
    if not isinstance(email, str):
        raise FixtureError(f"{path}.email", "required (the guest's e-mail / home UPN)")
    try:
        before = users.find_by_upn(tx, tenant.id, users.guest_upn(email, tenant.initial_domain))
        guest = users.invite_guest(
            tx, tenant.id, email=email, display_name=entry.get("displayName"), now=now, entropy=entropy
        )
        counts.guests += int(before is None and guest is not None)
        for k, role in enumerate(_list(entry.get("roles"), f"{path}.roles")):
            counts.roles += _role(tx, tenant, guest.id, role, f"{path}.roles[{k}]")
    except errors.DirectoryError as exc:
        raise _fail(path, exc) from None


def _principal(tx, tenant: Tenant, ref: str, by_name: dict[str, str], path: str) -> str:
    """A member reference: a UPN, a guest's e-mail, or a group's display name."""
    if "@" in ref:
        user = users.find_by_upn(tx, tenant.id, ref) or users.find_by_upn(
            tx, tenant.id, users.guest_upn(ref, tenant.initial_domain)
        )
        if user is None:
            raise FixtureError(path, f"no user or guest {ref!r} in {tenant.initial_domain}")
        return user.id
    if ref in by_name:
        return by_name[ref]
    raise FixtureError(path, f"no group named {ref!r} in {tenant.initial_domain}")


def _memberships(tx, tenant: Tenant, entry: dict, path: str, by_name: dict[str, str], counts: Counts) -> None:
    links: list[tuple[str, str, str]] = []  # (group id, member id, where)
    for key in ("users", "guests"):
        for j, raw in enumerate(_list(entry.get(key), f"{path}.{key}")):
            ref = raw.get("upn") or raw.get("email")
            if key == "users" and isinstance(ref, str) and "@" not in ref:
                ref = f"{ref}@{tenant.initial_domain}"
            member = _principal(tx, tenant, ref, by_name, f"{path}.{key}[{j}]")
            for name in expand_names(raw.get("groups"), f"{path}.{key}[{j}].groups"):
                links.append((by_name[name], member, f"{path}.{key}[{j}].groups"))
    for j, raw in enumerate(_list(entry.get("groups"), f"{path}.groups")):
        if not isinstance(raw, dict) or "prefix" in raw:
            continue
        gpath = f"{path}.groups[{j}]"
        group_id = by_name[raw["displayName"]]
        for k, ref in enumerate(_list(raw.get("members"), f"{gpath}.members")):
            links.append((group_id, _principal(tx, tenant, str(ref), by_name, f"{gpath}.members[{k}]"), gpath))
        for k, ref in enumerate(_list(raw.get("memberOf"), f"{gpath}.memberOf")):
            links.append((_principal(tx, tenant, str(ref), by_name, f"{gpath}.memberOf[{k}]"), group_id, gpath))
        for k, role in enumerate(_list(raw.get("roles"), f"{gpath}.roles")):
            counts.roles += _role(tx, tenant, group_id, role, f"{gpath}.roles[{k}]")
    for group_id, member_id, where in links:
        try:
            counts.memberships += int(groups.ensure_member(tx, tenant.id, group_id, member_id))
        except errors.DirectoryError as exc:
            raise _fail(where, exc) from None


def ensure_default_tenant(services, *, record_edge: bool = False) -> list[str]:
    """For `akslocal import` on a data dir no server has started yet."""
    return bootstrap.bootstrap(services, record_edge=record_edge)
