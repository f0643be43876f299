"""Frozen dataclasses of the directory's objects, and their store documents.

Documents are the dataclasses' fields as JSON (snake_case, tuples as lists); secrets are
kept only as hashes (``repr=False`` so they never reach a log line).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

T = TypeVar("T")

MEMBER, GUEST = "Member", "Guest"
GROUP_MEMBERSHIP_CLAIMS = ("None", "SecurityGroup", "DirectoryRole", "ApplicationGroup", "All")
SIGN_IN_AUDIENCES = (
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
    "PersonalMicrosoftAccount",
)


def to_doc(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)


def from_doc(cls: type[T], doc: dict[str, Any]) -> T:
    """Rebuild a model from its document (unknown keys ignored, lists back to tuples)."""
    nested: dict[str, type] = getattr(cls, "NESTED", {})
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in doc:
            continue
        value = doc[f.name]
        if f.name in nested and isinstance(value, list):
            value = tuple(from_doc(nested[f.name], item) for item in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    return cls(**values)


@dataclass(frozen=True)
class Tenant:
    id: str
    display_name: str
    initial_domain: str
    domains: tuple[str, ...] = ()
    user_consent_allowed: bool = True
    created: float = 0.0


@dataclass(frozen=True)
class User:
    id: str
    tenant_id: str
    upn: str
    display_name: str
    mail: str | None = None
    user_type: str = MEMBER
    account_enabled: bool = True
    home_tenant_id: str | None = None  # the home tenant of a guest; the own tenant for members
    given_name: str | None = None
    surname: str | None = None
    mail_nickname: str | None = None
    job_title: str | None = None
    other_mails: tuple[str, ...] = ()
    home_object_id: str | None = None  # a guest's object id in its home tenant
    external_user_state: str | None = None
    created: float = 0.0
    password_hash: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Group:
    id: str
    tenant_id: str
    display_name: str
    description: str | None = None
    mail_nickname: str | None = None
    mail: str | None = None
    security_enabled: bool = True
    mail_enabled: bool = False
    group_types: tuple[str, ...] = ()
    created: float = 0.0


@dataclass(frozen=True)
class Membership:
    tenant_id: str
    group_id: str
    member_id: str
    member_type: str  # "user" | "group" | "servicePrincipal"


@dataclass(frozen=True)
class DirectoryRole:
    id: str
    tenant_id: str
    role_template_id: str
    display_name: str
    description: str = ""


@dataclass(frozen=True)
class PermissionScope:
    """A delegated permission (Graph ``oauth2PermissionScopes``, AAD Graph ``oauth2Permissions``)."""

    id: str
    value: str
    type: str = "User"  # "User" (users may consent) | "Admin"
    is_enabled: bool = True
    admin_consent_display_name: str = ""
    admin_consent_description: str = ""
    user_consent_display_name: str | None = None
    user_consent_description: str | None = None


@dataclass(frozen=True)
class AppRole:
    id: str
    value: str | None
    display_name: str = ""
    description: str = ""
    allowed_member_types: tuple[str, ...] = ("Application",)
    is_enabled: bool = True


@dataclass(frozen=True)
class ResourceAccess:
    id: str
    type: str  # "Scope" | "Role"


@dataclass(frozen=True)
class RequiredResourceAccess:
    resource_app_id: str
    resource_access: tuple[ResourceAccess, ...] = ()
    NESTED: ClassVar[dict[str, type]] = {"resource_access": ResourceAccess}


@dataclass(frozen=True)
class PasswordCredential:
    key_id: str
    display_name: str | None
    hint: str
    start: float
    end: float
    custom_key_identifier: str | None = None
    secret_hash: str = field(default="", repr=False)


@dataclass(frozen=True)
class NewSecret:
    """A password credential just created: the only time its text exists."""

    credential: PasswordCredential
    secret_text: str = field(repr=False)


@dataclass(frozen=True)
class Application:
    id: str
    app_id: str
    tenant_id: str
    display_name: str
    identifier_uris: tuple[str, ...] = ()
    public_client: bool = False  # isFallbackPublicClient (AAD Graph: publicClient / --native-app)
    web_redirect_uris: tuple[str, ...] = ()
    public_client_redirect_uris: tuple[str, ...] = ()
    spa_redirect_uris: tuple[str, ...] = ()
    home_page_url: str | None = None
    group_membership_claims: str | None = None
    required_resource_access: tuple[RequiredResourceAccess, ...] = ()
    app_roles: tuple[AppRole, ...] = ()
    oauth2_scopes: tuple[PermissionScope, ...] = ()
    access_token_accepted_version: int | None = None
    sign_in_audience: str = "AzureADMyOrg"
    password_credentials: tuple[PasswordCredential, ...] = ()
    owner_ids: tuple[str, ...] = ()
    enable_access_token_issuance: bool = False
    enable_id_token_issuance: bool = False
    known_client_applications: tuple[str, ...] = ()
    created: float = 0.0
    NESTED: ClassVar[dict[str, type]] = {
        "required_resource_access": RequiredResourceAccess,
        "app_roles": AppRole,
        "oauth2_scopes": PermissionScope,
        "password_credentials": PasswordCredential,
    }


@dataclass(frozen=True)
class ServicePrincipal:
    id: str
    app_id: str
    tenant_id: str
    display_name: str
    service_principal_names: tuple[str, ...] = ()
    app_roles: tuple[AppRole, ...] = ()
    oauth2_scopes: tuple[PermissionScope, ...] = ()
    account_enabled: bool = True
    app_owner_tenant_id: str | None = None
    password_credentials: tuple[PasswordCredential, ...] = ()
    service_principal_type: str = "Application"
    app_role_assignment_required: bool = False
    reply_urls: tuple[str, ...] = ()
    first_party: bool = False
    created: float = 0.0
    NESTED: ClassVar[dict[str, type]] = {
        "app_roles": AppRole,
        "oauth2_scopes": PermissionScope,
        "password_credentials": PasswordCredential,
    }


@dataclass(frozen=True)
class OAuth2PermissionGrant:
    """A delegated grant: ``client_id`` and ``resource_id`` are service principal object ids."""

    id: str
    tenant_id: str
    client_id: str
    consent_type: str  # "AllPrincipals" | "Principal"
    principal_id: str | None
    resource_id: str
    scope: str


@dataclass(frozen=True)
class AppRoleAssignment:
    id: str
    tenant_id: str
    principal_id: str
    principal_type: str  # "ServicePrincipal" | "User" | "Group"
    principal_display_name: str
    resource_id: str
    resource_display_name: str
    app_role_id: str
    created: float = 0.0
