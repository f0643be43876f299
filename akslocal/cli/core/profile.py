"""Accounts and tokens: azlocal's ``azureProfile.json`` and MSAL token cache, in its config dir.

Sign-in goes through MSAL's PublicClientApplication with the Azure CLI's client id (or a
ConfidentialClientApplication for a service principal), authority
``<endpoint>/<tenant or organizations>`` and ``instance_discovery=False``, as today's az
does. After sign-in, tenants and subscriptions are listed through Resource Manager
(real-az-cli-and-msal.md §4.1–4.3).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from akslocal.cli.core.errors import LOGIN_MESSAGE, AuthenticationError, AzLocalError, ResourceNotFoundError
from akslocal.cli.core.settings import (
    ARM_RESOURCE,
    CLI_CLIENT_ID,
    Settings,
    save_endpoint,
    write_private_json,
)

TENANT_LEVEL_ACCOUNT_NAME = "N/A(tenant level account)"
RELOGIN = ("Run the command below to authenticate interactively; additional arguments may be added as needed:\n"
           "azlocal login")


def scopes_for(resource: str) -> list[str]:
    """az appends ``/.default`` to the resource id (so ARM's is ``https://management.core.windows.net//.default``)."""
    return [resource + "/.default"]


class Profile:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._dir = settings.config_dir
        self._cache: Any = None
        self._http: Any = None

    # --- files ---------------------------------------------------------------------------------------------
    @property
    def _profile_path(self):
        return self._dir / "azureProfile.json"

    @property
    def _sp_path(self):
        return self._dir / "service_principal_entries.json"

    def _read(self, path, default):
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return default

    def subscriptions(self) -> list[dict]:
        return list(self._read(self._profile_path, {}).get("subscriptions", []))

    def _write_subscriptions(self, subscriptions: list[dict]) -> None:
        write_private_json(self._profile_path, {"subscriptions": subscriptions})

    def token_cache(self) -> Any:
        if self._cache is None:
            import msal

            self._cache = msal.SerializableTokenCache()
            path = self._dir / "msal_token_cache.json"
            if path.exists():
                self._cache.deserialize(path.read_text())
        return self._cache

    def save_cache(self) -> None:
        if self._cache is not None and self._cache.has_state_changed:
            self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_private_json(self._dir / "msal_token_cache.json", json.loads(self._cache.serialize()))

    def close(self) -> None:
        self.save_cache()
        if self._http is not None:
            self._http.close()

    # --- MSAL applications ---------------------------------------------------------------------------------
    def _http_client(self) -> Any:
        if self._http is None:
            from akslocal.cli.core.http import MsalHttpClient

            self._http = MsalHttpClient(self.settings)
        return self._http

    def _authority(self, tenant: str | None) -> str:
        return f"{self.settings.endpoint}/{tenant or 'organizations'}"

    def public_app(self, tenant: str | None = None) -> Any:
        import msal

        return msal.PublicClientApplication(
            CLI_CLIENT_ID, authority=self._authority(tenant), instance_discovery=False,
            token_cache=self.token_cache(), http_client=self._http_client())

    def confidential_app(self, client_id: str, secret: str, tenant: str, fresh: bool = False) -> Any:
        """``fresh``: an empty in-memory cache, so the token service is asked (MSAL has no force_refresh here)."""
        import msal

        return msal.ConfidentialClientApplication(
            client_id, client_credential=secret, authority=self._authority(tenant), instance_discovery=False,
            token_cache=msal.TokenCache() if fresh else self.token_cache(), http_client=self._http_client())

    # --- sign-in -------------------------------------------------------------------------------------------
    def login_user(self, username: str | None, password: str | None, tenant: str | None,
                   allow_no_subscriptions: bool, scopes: list[str] | None = None) -> list[dict]:
        app = self.public_app(tenant)
        scopes = scopes or scopes_for(ARM_RESOURCE)
        if username and password:
            result = app.acquire_token_by_username_password(username, password, scopes=scopes)
        else:
            flow = app.initiate_device_flow(scopes=scopes)
            if "user_code" not in flow:
                raise _msal_error(flow)
            print(flow["message"], file=sys.stderr, flush=True)  # Entra's own words, as az prints them
            result = app.acquire_token_by_device_flow(flow)
        if "access_token" not in result:
            raise _msal_error(result)
        claims = result.get("id_token_claims") or {}
        username = claims.get("preferred_username") or claims.get("upn") or username
        if not username:
            raise AuthenticationError("The sign-in returned no user name (the id_token lacks preferred_username).")
        save_endpoint(self.settings)
        tenants = [{"tenantId": tenant}] if tenant else self._home_tenants(result, claims)
        return self._discover(username, "user", tenants, allow_no_subscriptions)

    def login_service_principal(self, client_id: str, secret: str, tenant: str,
                                allow_no_subscriptions: bool) -> list[dict]:
        if not tenant:
            raise AzLocalError("--tenant is required when logging in as a service principal.")
        # MSAL would answer a repeated login from its cache without asking the service; a login must prove the secret.
        app = self.confidential_app(client_id, secret, tenant, fresh=True)
        result = app.acquire_token_for_client(scopes=scopes_for(ARM_RESOURCE))
        if "access_token" not in result:
            raise _msal_error(result)
        entries = [e for e in self._read(self._sp_path, []) if e.get("client_id") != client_id]
        entries.append({"client_id": client_id, "tenant": tenant, "client_secret": secret})
        write_private_json(self._sp_path, entries)
        save_endpoint(self.settings)
        return self._discover(client_id, "servicePrincipal", [{"tenantId": tenant}], allow_no_subscriptions)

    def _home_tenants(self, result: dict, claims: dict) -> list[dict]:
        """``GET /tenants`` with the first token; az then names each account's tenant (domain, display name)."""
        from akslocal.cli.core.rest import ArmClient

        arm = ArmClient(self, token=result["access_token"])
        try:
            tenants = [t for t in arm.list("/tenants", api_version="2022-12-01") if t.get("tenantId")]
        except AzLocalError:
            tenants = []
        return tenants or [{"tenantId": claims.get("tid")}]

    def _discover(self, username: str, user_type: str, tenants: list[dict], allow_no_subscriptions: bool
                  ) -> list[dict]:
        from akslocal.cli.core.rest import ArmClient

        found: list[dict] = []
        bare: list[str] = []
        for description in tenants:
            tenant = description["tenantId"]
            pseudo = {"tenantId": tenant, "user": {"name": username, "type": user_type}}
            arm = ArmClient(self, account=pseudo)
            try:
                subs = arm.list("/subscriptions", api_version="2022-12-01")
            except ResourceNotFoundError:
                if not allow_no_subscriptions:
                    raise
                subs = []  # a directory without Resource Manager: a tenant-level account
            for s in subs:
                account = _account(s, username, user_type)
                if description.get("defaultDomain"):
                    account["tenantDefaultDomain"] = description["defaultDomain"]
                if description.get("displayName"):
                    account["tenantDisplayName"] = description["displayName"]
                found.append(account)
            if not subs:
                bare.append(tenant)
        if not found and not allow_no_subscriptions:
            raise AzLocalError(f"No subscriptions found for {username}.")
        if allow_no_subscriptions:
            found.extend(_tenant_level_account(t, username, user_type) for t in bare)
        others = [s for s in self.subscriptions() if s["user"]["name"] != username]
        for s in others:
            s["isDefault"] = False
        if found:
            found[0]["isDefault"] = True
        self._write_subscriptions(found + others)
        return found

    def logout(self, username: str | None = None) -> None:
        subs = self.subscriptions()
        if username is None:
            current = [s for s in subs if s.get("isDefault")]
            if not current:
                raise AzLocalError("There are no active accounts.")
            username = current[0]["user"]["name"]
        remaining = [s for s in subs if s["user"]["name"] != username]
        if len(remaining) == len(subs):
            raise AzLocalError(f"Account '{username}' was not found.")
        if remaining and not any(s.get("isDefault") for s in remaining):
            remaining[0]["isDefault"] = True
        self._write_subscriptions(remaining)
        app = self.public_app()
        for account in app.get_accounts(username=username):
            app.remove_account(account)  # its refresh and access tokens leave the cache file too
        cache = self.token_cache()
        for token in list(cache.search(cache.CredentialType.ACCESS_TOKEN, query={"client_id": username})):
            cache.remove_at(token)  # a service principal's application tokens
        entries = [e for e in self._read(self._sp_path, []) if e.get("client_id") != username]
        write_private_json(self._sp_path, entries)

    # --- current account and tokens -----------------------------------------------------------------------
    def current(self, subscription: str | None = None) -> dict:
        subs = self.subscriptions()
        if not subs:
            raise AzLocalError(LOGIN_MESSAGE)
        if subscription:
            wanted = subscription.lower()
            for s in subs:
                if s["id"].lower() == wanted or s["name"].lower() == wanted:
                    return s
            raise AzLocalError(f"Subscription '{subscription}' not found. Check the spelling and casing and try again.")
        for s in subs:
            if s.get("isDefault"):
                return s
        return subs[0]

    def set_current(self, subscription: str) -> None:
        target = self.current(subscription)
        subs = self.subscriptions()
        for s in subs:
            s["isDefault"] = s["id"] == target["id"] and s["user"]["name"] == target["user"]["name"]
        self._write_subscriptions(subs)

    def token(self, resource: str, account: dict | None = None, force_refresh: bool = False) -> dict:
        """An MSAL token result for ``resource`` as the current (or given) account."""
        account = account or self.current()
        tenant = account["tenantId"]
        user = account["user"]
        scopes = scopes_for(resource)
        if user["type"] == "servicePrincipal":
            entry = next((e for e in self._read(self._sp_path, []) if e.get("client_id") == user["name"]), None)
            if entry is None:
                raise AuthenticationError(f"Could not find the secret of service principal '{user['name']}'.",
                                          RELOGIN)
            app = self.confidential_app(entry["client_id"], entry["client_secret"], tenant, fresh=force_refresh)
            result = app.acquire_token_for_client(scopes=scopes)
        else:
            app = self.public_app(tenant)
            accounts = app.get_accounts(username=user["name"])
            if not accounts:
                raise AuthenticationError(
                    f"User '{user['name']}' does not exist in MSAL token cache. Run `azlocal login`.")
            result = app.acquire_token_silent_with_error(scopes, accounts[0], force_refresh=force_refresh)
            if result is None:
                raise AuthenticationError("The login has expired or was removed.", RELOGIN)
        if "access_token" not in result:
            raise _msal_error(result, RELOGIN)
        self.save_cache()
        return result


def _msal_error(result: dict, recommendation: str | None = None) -> AuthenticationError:
    description = result.get("error_description") or result.get("error") or "authentication failed"
    return AuthenticationError(description, recommendation)


def _account(sub: dict, username: str, user_type: str) -> dict:
    account = {
        "environmentName": "AzureCloud",
        "homeTenantId": sub.get("homeTenantId", sub.get("tenantId")),
        "id": sub["subscriptionId"],
        "isDefault": False,
        "managedByTenants": [{"tenantId": t.get("tenantId")} for t in sub.get("managedByTenants") or []],
        "name": sub.get("displayName"),
        "state": sub.get("state", "Enabled"),
        "tenantId": sub["tenantId"],
        "user": {"name": username, "type": user_type},
    }
    for wire, key in (("tenantDefaultDomain", "tenantDefaultDomain"), ("tenantDisplayName", "tenantDisplayName")):
        if sub.get(wire):
            account[key] = sub[wire]
    return account


def _tenant_level_account(tenant: str, username: str, user_type: str) -> dict:
    return {
        "environmentName": "AzureCloud",
        "id": tenant,
        "isDefault": False,
        "name": TENANT_LEVEL_ACCOUNT_NAME,
        "state": "Enabled",
        "tenantId": tenant,
        "user": {"name": username, "type": user_type},
    }
