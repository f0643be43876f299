"""The ``aadProfile`` rules, as AKS had them.

- **Legacy** (``clientAppID``, ``serverAppID``, ``serverAppSecret``, ``tenantID``): only when the
  cluster is created, only with Kubernetes RBAC, and the server (and client) app must exist in
  that tenant.  The secret is write-only: it goes to the cluster's token checker and is never
  stored here nor returned (``serverAppSecret: null``).  Its value is not checked, as AKS did
  not check it: a wrong secret shows later as ``Unauthorized`` in kubectl.
- **Managed** (``managed: true``, ``adminGroupObjectIDs``, ``enableAzureRBAC``, ``tenantID``):
  at creation or later on an RBAC cluster.  Updating a legacy cluster with ``managed: true``
  migrates it (app ids and secret are dropped); a managed cluster never goes back to legacy.
- ``disableLocalAccounts`` needs a managed profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from akslocal.arm import errors
from akslocal.arm.subscriptions import is_guid

AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
AKS_CLIENT_APP_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
FIELDS = ("managed", "enableAzureRBAC", "adminGroupObjectIDs", "adminUsers", "clientAppID", "serverAppID",
          "serverAppSecret", "tenantID")


@dataclass(frozen=True)
class AadRequest:
    """A parsed ``aadProfile`` as a client sent it (values validated for type and shape only)."""

    managed: bool | None = None
    enable_azure_rbac: bool | None = None
    admin_group_ids: tuple[str, ...] | None = None
    client_app_id: str | None = None
    server_app_id: str | None = None
    server_app_secret: str | None = field(default=None, repr=False)
    tenant_id: str | None = None

    @property
    def is_legacy(self) -> bool:
        return not self.managed and bool(self.client_app_id or self.server_app_id or self.server_app_secret)


def _guid(raw: dict, name: str) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if not is_guid(value):
        raise errors.invalid_parameter(f"The value of parameter aadProfile.{name} is invalid: it must be a GUID.",
                                       f"aadProfile.{name}")
    return value.lower()


def _bool(raw: dict, name: str) -> bool | None:
    value = raw.get(name)
    if value is not None and not isinstance(value, bool):
        raise errors.invalid_parameter(f"The value of parameter aadProfile.{name} is invalid: it must be a boolean.",
                                       f"aadProfile.{name}")
    return value


def parse(raw: Any) -> AadRequest | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise errors.invalid_parameter("The value of parameter aadProfile is invalid: it must be an object.",
                                       "aadProfile")
    groups = raw.get("adminGroupObjectIDs", raw.get("adminGroupObjectIds"))
    if groups is not None:
        if not isinstance(groups, list) or len(groups) > 100 or not all(is_guid(g) for g in groups):
            raise errors.invalid_parameter("The value of parameter aadProfile.adminGroupObjectIDs is invalid: it must "
                                           "be a list of group object ids (GUIDs).", "aadProfile.adminGroupObjectIDs")
        groups = tuple(dict.fromkeys(g.lower() for g in groups))
    secret = raw.get("serverAppSecret")
    if secret is not None and (not isinstance(secret, str) or len(secret) > 1024):
        raise errors.invalid_parameter("The value of parameter aadProfile.serverAppSecret is invalid.",
                                       "aadProfile.serverAppSecret")
    req = AadRequest(managed=_bool(raw, "managed"), enable_azure_rbac=_bool(raw, "enableAzureRBAC"),
                     admin_group_ids=groups, client_app_id=_guid(raw, "clientAppID"),
                     server_app_id=_guid(raw, "serverAppID"), server_app_secret=secret or None,
                     tenant_id=_guid(raw, "tenantID"))
    # A profile of nulls (what a client echoes back for a cluster without one) is no profile.
    return None if req == AadRequest() else req


def _require_tenant(tx, tenant_id: str) -> None:
    from akslocal.directory import tenants

    if tenants.get_tenant(tx, tenant_id) is None:
        raise errors.invalid_parameter(f"The tenant '{tenant_id}' in aadProfile.tenantID was not found.",
                                       "aadProfile.tenantID")


def _app_in_tenant(tx, tenant_id: str, app_id: str) -> bool:
    from akslocal.directory import apps, service_principals

    app = apps.find_by_app_id(tx, app_id)
    if app is not None and app.tenant_id.lower() == tenant_id.lower():
        return True
    return service_principals.find_by_app_id(tx, tenant_id, app_id) is not None


def _legacy(tx, req: AadRequest, tenant_id: str, enable_rbac: bool) -> dict:
    if not enable_rbac:
        raise errors.bad_request("Azure AD integration requires Kubernetes RBAC: set enableRBAC to true "
                                 "(--enable-rbac) when aadProfile is given.", "aadProfile")
    for name, value in (("serverAppID", req.server_app_id), ("clientAppID", req.client_app_id),
                        ("serverAppSecret", req.server_app_secret)):
        if not value:
            raise errors.invalid_parameter(f"aadProfile.{name} is required for Azure AD integration (legacy).",
                                           f"aadProfile.{name}")
    _require_tenant(tx, tenant_id)
    for name, app_id in (("serverAppID", req.server_app_id), ("clientAppID", req.client_app_id)):
        if not _app_in_tenant(tx, tenant_id, app_id):
            raise errors.invalid_parameter(f"The application '{app_id}' in aadProfile.{name} was not found in tenant "
                                           f"'{tenant_id}'.", f"aadProfile.{name}")
    return {"managed": False, "enableAzureRBAC": False, "adminGroupObjectIDs": None, "clientAppID": req.client_app_id,
            "serverAppID": req.server_app_id, "tenantID": tenant_id}


def _managed(tx, req: AadRequest, tenant_id: str, enable_rbac: bool, previous: dict | None = None) -> dict:
    if not enable_rbac:
        raise errors.bad_request("Azure AD integration requires Kubernetes RBAC: set enableRBAC to true "
                                 "(--enable-rbac) when aadProfile is given.", "aadProfile")
    _require_tenant(tx, tenant_id)
    groups = req.admin_group_ids
    if groups is None and previous is not None and previous.get("managed"):
        groups = tuple(previous.get("adminGroupObjectIDs") or ())
    rbac = req.enable_azure_rbac
    if rbac is None and previous is not None and previous.get("managed"):
        rbac = previous.get("enableAzureRBAC")
    return {"managed": True, "enableAzureRBAC": bool(rbac), "adminGroupObjectIDs": list(groups or ()),
            "clientAppID": None, "serverAppID": None, "tenantID": tenant_id}


def for_create(tx, req: AadRequest | None, *, subscription_tenant: str, enable_rbac: bool) -> dict | None:
    """The stored profile of a new cluster (never holding the secret)."""
    if req is None:
        return None
    tenant_id = req.tenant_id or subscription_tenant
    if req.managed:
        return _managed(tx, req, tenant_id, enable_rbac)
    if req.is_legacy:
        return _legacy(tx, req, tenant_id, enable_rbac)
    raise errors.invalid_parameter("aadProfile must either set managed to true or give serverAppID, "
                                   "serverAppSecret and clientAppID.", "aadProfile")


def for_update(tx, old: dict | None, req: AadRequest | None, *, subscription_tenant: str,
               enable_rbac: bool) -> tuple[dict | None, bool]:
    """(the profile after a PUT on an existing cluster, whether it migrated legacy → managed)."""
    if req is None:
        return old, False
    if old is None:
        if req.managed:
            return _managed(tx, req, req.tenant_id or subscription_tenant, enable_rbac), False
        raise errors.ArmError(400, "PropertyChangeNotAllowed",
                              "Changing property 'aadProfile' is not allowed: Azure AD integration (legacy) can only "
                              "be enabled when the cluster is created.", "aadProfile")
    if old.get("managed"):
        if not req.managed:
            raise errors.ArmError(400, "PropertyChangeNotAllowed",
                                  "Changing property 'aadProfile.managed' is not allowed.", "aadProfile.managed")
        return _managed(tx, req, req.tenant_id or old["tenantID"], enable_rbac, old), False
    # A legacy cluster.
    if req.managed:
        return _managed(tx, req, req.tenant_id or old["tenantID"], enable_rbac), True
    for name, new, current in (("clientAppID", req.client_app_id, old["clientAppID"]),
                               ("serverAppID", req.server_app_id, old["serverAppID"]),
                               ("tenantID", req.tenant_id, old["tenantID"])):
        if new is not None and new != current:
            raise errors.ArmError(400, "PropertyChangeNotAllowed", f"Changing property 'aadProfile.{name}' is not "
                                  "allowed. Use resetAADProfile (az aks update-credentials --reset-aad).",
                                  f"aadProfile.{name}")
    if req.server_app_secret is not None:
        raise errors.ArmError(400, "PropertyChangeNotAllowed", "Changing property 'aadProfile.serverAppSecret' is not "
                              "allowed. Use resetAADProfile (az aks update-credentials --reset-aad).",
                              "aadProfile.serverAppSecret")
    return old, False


def for_reset(tx, old: dict | None, raw: Any) -> tuple[dict, str]:
    """``POST …/resetAADProfile``: new legacy app ids and secret. Returns (profile, secret)."""
    if old is not None and old.get("managed"):
        raise errors.bad_request("Operation 'resetAADProfile' is not allowed for managed AAD enabled cluster.")
    if old is None:
        raise errors.bad_request("Operation 'resetAADProfile' is not allowed for a cluster without Azure AD "
                                 "integration.")
    req = parse(raw if raw is not None else {})
    assert req is not None
    if req.managed:
        raise errors.invalid_parameter("resetAADProfile takes a legacy profile (clientAppID, serverAppID, "
                                       "serverAppSecret, tenantID).", "managed")
    profile = _legacy(tx, req, req.tenant_id or old["tenantID"], True)
    return profile, req.server_app_secret or ""


def check_local_accounts(profile: dict | None, disable_local_accounts: bool) -> None:
    if disable_local_accounts and not (profile and profile.get("managed")):
        raise errors.bad_request("Local accounts can only be disabled on clusters with AKS-managed Azure AD "
                                 "integration (aadProfile.managed).", "disableLocalAccounts")


def check_azure_rbac(profile: dict | None) -> None:
    if profile and profile.get("enableAzureRBAC") and not profile.get("managed"):
        raise errors.bad_request("Azure RBAC for Kubernetes authorization requires AKS-managed Azure AD.",
                                 "aadProfile.enableAzureRBAC")


def render(profile: dict | None) -> dict | None:
    if profile is None:
        return None
    out = {name: profile.get(name) for name in FIELDS}
    out["serverAppSecret"] = None  # write-only
    out["adminUsers"] = None
    return out
