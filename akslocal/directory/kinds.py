"""Store kinds of the directory (names prefixed ``directory.``) and their keys.

Tenant-scoped objects are keyed ``<tenant id>/<object id>`` so that an id from another
tenant simply is not found, and a tenant's objects are one prefix scan.
"""

from __future__ import annotations

from typing import TypeVar

from akslocal.directory import validate
from akslocal.directory.models import from_doc
from akslocal.store import Kind, Tx

T = TypeVar("T")


def norm_name(value: str) -> str:
    """Identifier URIs / servicePrincipalNames compare case-insensitively, trailing '/' ignored."""
    return value.strip().rstrip("/").lower()


def key(tenant_id: str, object_id: str) -> str:
    return f"{tenant_id}/{object_id.lower()}"


def get_by_id(tx: Tx, kind: Kind, cls: type[T], tenant_id: str, object_id: str) -> T | None:
    """The tenant's object of ``kind`` with this object id, or None (also when the id is not a GUID)."""
    if not validate.is_guid(object_id):
        return None
    doc = tx.get(kind, key(tenant_id, object_id))
    return from_doc(cls, doc) if doc else None


TENANTS = Kind(
    "directory.tenant",
    unique=lambda d: {"domain": [x.lower() for x in d["domains"]]},
)
USERS = Kind(
    "directory.user",
    index=lambda d: {
        "tenant": d["tenant_id"],
        "home": f"{d['home_tenant_id']}/{d['home_object_id']}" if d.get("home_object_id") else None,
    },
    unique=lambda d: {"upn": f"{d['tenant_id']}/{d['upn'].lower()}"},
)
GROUPS = Kind("directory.group", index=lambda d: {"tenant": d["tenant_id"]})
MEMBERSHIPS = Kind(
    "directory.membership",
    index=lambda d: {
        "group": f"{d['tenant_id']}/{d['group_id']}",
        "member": f"{d['tenant_id']}/{d['member_id']}",
    },
)
DIRECTORY_ROLES = Kind(
    "directory.role",
    index=lambda d: {"tenant": d["tenant_id"]},
    unique=lambda d: {"id": f"{d['tenant_id']}/{d['id']}"},
)
ROLE_MEMBERS = Kind(
    "directory.role_member",
    index=lambda d: {
        "principal": f"{d['tenant_id']}/{d['principal_id']}",
        "role": f"{d['tenant_id']}/{d['role_template_id']}",
    },
)
APPLICATIONS = Kind(
    "directory.application",
    index=lambda d: {"tenant": d["tenant_id"]},
    unique=lambda d: {
        "app_id": d["app_id"].lower(),
        "identifier_uri": [f"{d['tenant_id']}/{norm_name(u)}" for u in d["identifier_uris"]],
    },
)
SERVICE_PRINCIPALS = Kind(
    "directory.service_principal",
    index=lambda d: {
        "tenant": d["tenant_id"],
        "spn": [f"{d['tenant_id']}/{norm_name(n)}" for n in d["service_principal_names"]],
    },
    unique=lambda d: {"app_id": f"{d['tenant_id']}/{d['app_id'].lower()}"},
)
GRANTS = Kind(
    "directory.oauth2_grant",
    index=lambda d: {
        "client": f"{d['tenant_id']}/{d['client_id']}",
        "resource": f"{d['tenant_id']}/{d['resource_id']}",
        "principal": f"{d['tenant_id']}/{d['principal_id']}" if d.get("principal_id") else None,
        "tenant": d["tenant_id"],
    },
)
APP_ROLE_ASSIGNMENTS = Kind(
    "directory.app_role_assignment",
    index=lambda d: {
        "principal": f"{d['tenant_id']}/{d['principal_id']}",
        "resource": f"{d['tenant_id']}/{d['resource_id']}",
        "pair": f"{d['principal_id']}/{d['resource_id']}",
    },
)
