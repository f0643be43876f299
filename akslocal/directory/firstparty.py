"""Microsoft's first-party applications, present as service principals in every tenant.

Their app registrations live in Microsoft's own tenant, so they are static data here (like
dex's static clients): :func:`first_party_app` answers for them, and
:func:`ensure_first_party` creates their service principals in a tenant (idempotent; run
on tenant creation and on every start, which also records the edge URL as an alias of
Microsoft Graph, since the az CLI registered as a custom cloud uses it as Graph's resource).
Permission ids are the real ones.
"""

from __future__ import annotations

import uuid

from akslocal.directory.kinds import SERVICE_PRINCIPALS, key
from akslocal.directory.models import Application, AppRole, PermissionScope, ServicePrincipal, to_doc
from akslocal.store import Kind, Tx

MICROSOFT_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"  # appOwnerOrganizationId of first-party apps
GRAPH = "00000003-0000-0000-c000-000000000000"
AAD_GRAPH = "00000002-0000-0000-c000-000000000000"
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
AKS_SERVER = "6dae42f8-4368-4678-94ff-3960e28e3630"
AKS_CLIENT = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
SERVICE_MANAGEMENT = "797f4846-ba00-4fd7-ba43-dac1f8f63013"

SETTINGS = Kind("directory.setting")


def _scope(id_: str, value: str, kind: str, title: str) -> PermissionScope:
    return PermissionScope(
        id=id_,
        value=value,
        type=kind,
        admin_consent_display_name=title,
        admin_consent_description=title,
        user_consent_display_name=title if kind == "User" else None,
        user_consent_description=title if kind == "User" else None,
    )


def _role(id_: str, value: str, title: str) -> AppRole:
    return AppRole(id=id_, value=value, display_name=title, description=title, allowed_member_types=("Application",))


GRAPH_SCOPES = (
    _scope("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User.Read", "User", "Sign in and read user profile"),
    _scope("b4e74841-8e56-480b-be8b-910348b18b4c", "User.ReadWrite", "User", "Read and write access to user profile"),
    _scope("b340eb25-3456-403f-be2f-af7a0d370277", "User.ReadBasic.All", "User", "Read all users' basic profiles"),
    _scope("a154be20-db9c-4678-8ab7-66f6cc099a59", "User.Read.All", "Admin", "Read all users' full profiles"),
    _scope(
        "204e0828-b5ca-4ad8-b9f3-f32a958e7cc4", "User.ReadWrite.All", "Admin", "Read and write all users' full profiles"
    ),
    _scope("06da0dbc-49e2-44d2-8312-53f166ab848a", "Directory.Read.All", "Admin", "Read directory data"),
    _scope("c5366453-9fb0-48a5-a156-24f0c49a4b84", "Directory.ReadWrite.All", "Admin", "Read and write directory data"),
    _scope(
        "0e263e50-5827-48a4-b97c-d940288653c7",
        "Directory.AccessAsUser.All",
        "Admin",
        "Access directory as the signed in user",
    ),
    _scope("5f8c59db-677d-491f-a6b8-5f174b11ec1d", "Group.Read.All", "Admin", "Read all groups"),
    _scope("4e46008b-f24c-477d-8fff-7bb4ec7aafe0", "Group.ReadWrite.All", "Admin", "Read and write all groups"),
    _scope("bc024368-1153-4739-b217-4326f2e966d0", "GroupMember.Read.All", "Admin", "Read group memberships"),
    _scope("c79f8feb-a9db-4090-85f9-90d820caa0eb", "Application.Read.All", "Admin", "Read applications"),
    _scope(
        "bdfbf15f-ee85-4955-8675-146e8e5296b5", "Application.ReadWrite.All", "Admin", "Read and write all applications"
    ),
    _scope(
        "41ce6ca6-6826-4807-84f1-1c82854f7ee5",
        "DelegatedPermissionGrant.ReadWrite.All",
        "Admin",
        "Manage all delegated permission grants",
    ),
    _scope(
        "84bccea3-f856-4a8a-967b-dbe0a3d53a64",
        "AppRoleAssignment.ReadWrite.All",
        "Admin",
        "Manage app role assignments",
    ),
    _scope(
        "d01b97e9-cbc0-49fe-810a-750afd5527a3",
        "RoleManagement.ReadWrite.Directory",
        "Admin",
        "Read and write directory RBAC settings",
    ),
    _scope(
        "63dd7cd9-b489-4adf-a28c-ac38b9a0f962", "User.Invite.All", "Admin", "Invite guest users to the organization"
    ),
    _scope("37f7f235-527c-4136-accd-4a02d197296e", "openid", "User", "Sign users in"),
    _scope("14dad69e-099b-42c9-810b-d002981feec1", "profile", "User", "View users' basic profile"),
    _scope("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", "email", "User", "View users' email address"),
    _scope(
        "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
        "offline_access",
        "User",
        "Maintain access to data you have given it access to",
    ),
)
GRAPH_ROLES = (
    _role("7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All", "Read directory data"),
    _role("19dbc75e-c2e2-444c-a770-ec69d8559fc7", "Directory.ReadWrite.All", "Read and write directory data"),
    _role("df021288-bdef-4463-88db-98f22de89214", "User.Read.All", "Read all users' full profiles"),
    _role("741f803b-c850-494e-b5df-cde7c675a1ca", "User.ReadWrite.All", "Read and write all users' full profiles"),
    _role("5b567255-7703-4780-807c-7be8301ae99b", "Group.Read.All", "Read all groups"),
    _role("62a82d76-70ea-41e2-9197-370581804d09", "Group.ReadWrite.All", "Read and write all groups"),
    _role("98830695-27a2-44f7-8c18-0c3ebc9698f6", "GroupMember.Read.All", "Read all group memberships"),
    _role("9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "Application.Read.All", "Read all applications"),
    _role("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Application.ReadWrite.All", "Read and write all applications"),
    _role(
        "06b708a9-e830-4db3-a914-8e69da51d44f",
        "AppRoleAssignment.ReadWrite.All",
        "Manage app permission grants and app role assignments",
    ),
    _role(
        "8e8e4742-1d95-4f68-9d56-6ee75648c72a",
        "DelegatedPermissionGrant.ReadWrite.All",
        "Manage all delegated permission grants",
    ),
    _role("09850681-111b-4a89-9bed-3f2cae46d706", "User.Invite.All", "Invite guest users to the organization"),
    _role("483bed4a-2ad3-4361-a73b-c83ccdbdc53c", "RoleManagement.Read.Directory", "Read all directory RBAC settings"),
    _role(
        "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
        "RoleManagement.ReadWrite.Directory",
        "Read and write all directory RBAC settings",
    ),
)
USER_IMPERSONATION_ASM = _scope(
    "41094075-9dad-400e-a0bd-54e686782033",
    "user_impersonation",
    "User",
    "Access Azure Service Management as organization users",
)
USER_READ_AAD_GRAPH = _scope(
    "311a71cc-e848-46a1-bdf8-97ff7156d8e6", "User.Read", "User", "Sign in and read user profile"
)
# Clients ask for "6dae42f8-…/user.read" (seen in public kubelogin/headlamp set-ups); the real
# scope id is not published, so ours is a stable name-based UUID.
USER_READ_AKS = _scope(
    str(uuid.uuid5(uuid.NAMESPACE_URL, "akslocal:6dae42f8-4368-4678-94ff-3960e28e3630/user.read")),
    "user.read",
    "User",
    "Sign in and read user profile",
)

# appId -> (display name, servicePrincipalNames, scopes, app roles, public client)
APPS: dict[str, tuple[str, tuple[str, ...], tuple[PermissionScope, ...], tuple[AppRole, ...], bool]] = {
    GRAPH: (
        "Microsoft Graph",
        (GRAPH, "https://graph.microsoft.com", "https://graph.microsoft.com/", "https://canary.graph.microsoft.com"),
        GRAPH_SCOPES,
        GRAPH_ROLES,
        False,
    ),
    AAD_GRAPH: (
        "Windows Azure Active Directory",
        (AAD_GRAPH, "https://graph.windows.net"),
        (USER_READ_AAD_GRAPH,),
        (),
        False,
    ),
    AZURE_CLI: ("Microsoft Azure CLI", (AZURE_CLI,), (), (), True),
    AKS_SERVER: ("Azure Kubernetes Service AAD Server", (AKS_SERVER,), (USER_READ_AKS,), (), False),
    AKS_CLIENT: ("Azure Kubernetes Service AAD Client", (AKS_CLIENT,), (), (), True),
    SERVICE_MANAGEMENT: (
        "Windows Azure Service Management API",
        (SERVICE_MANAGEMENT, "https://management.core.windows.net/", "https://management.azure.com/"),
        (USER_IMPERSONATION_ASM,),
        (),
        False,
    ),
}

# First-party clients that are pre-authorized for first-party resources (no consent prompt).
PREAUTHORIZED_CLIENTS = frozenset({AZURE_CLI, AKS_CLIENT})
EDGE_URL = "edge_url"


def is_first_party(app_id: str) -> bool:
    return app_id.lower() in APPS


def first_party_app(app_id: str) -> Application | None:
    """The app registration of a first-party app (lives in Microsoft's tenant)."""
    spec = APPS.get(app_id.lower())
    if spec is None:
        return None
    name, spns, scopes, app_roles, public = spec
    return Application(
        id=app_id.lower(),
        app_id=app_id.lower(),
        tenant_id=MICROSOFT_TENANT,
        display_name=name,
        identifier_uris=tuple(s for s in spns if s != app_id),
        public_client=public,
        public_client_redirect_uris=("http://localhost", "https://login.microsoftonline.com/common/oauth2/nativeclient")
        if public
        else (),
        app_roles=app_roles,
        oauth2_scopes=scopes,
        sign_in_audience="AzureADMultipleOrgs",
    )


def edge_url(tx: Tx) -> str | None:
    doc = tx.get(SETTINGS, EDGE_URL)
    return doc["url"] if doc else None


def record_edge_url(tx: Tx, url: str) -> None:
    if edge_url(tx) != url:
        tx.put(SETTINGS, EDGE_URL, {"url": url})


def ensure_first_party(tx: Tx, tenant_id: str, *, now: float, entropy) -> None:
    """Create or refresh the first-party service principals of a tenant."""
    alias = edge_url(tx)
    for app_id, (name, spns, scopes, app_roles, _public) in APPS.items():
        names = list(spns)
        if app_id == GRAPH and alias:
            names.append(alias.rstrip("/") + "/")
        record = tx.find_one(SERVICE_PRINCIPALS, "app_id", f"{tenant_id}/{app_id}")
        if record is None:
            sp = ServicePrincipal(
                id=entropy.guid(),
                app_id=app_id,
                tenant_id=tenant_id,
                display_name=name,
                service_principal_names=tuple(names),
                app_roles=app_roles,
                oauth2_scopes=scopes,
                app_owner_tenant_id=MICROSOFT_TENANT,
                first_party=True,
                created=now,
            )
            tx.create(SERVICE_PRINCIPALS, key(tenant_id, sp.id), to_doc(sp))
            continue
        wanted = {
            **record.doc,
            "service_principal_names": names,
            "oauth2_scopes": [to_doc(s) for s in scopes],
            "app_roles": [to_doc(r) for r in app_roles],
            "display_name": name,
        }
        if wanted != record.doc:
            tx.put(SERVICE_PRINCIPALS, record.key, wanted)
