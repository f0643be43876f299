"""Sign-in and accounts: what ``az login`` / ``az account`` do, against akslocal's token service."""

from __future__ import annotations

import datetime
import time

from knack.log import get_logger

from akslocal.cli.core.errors import ArgumentUsageError, AzLocalError

logger = get_logger(__name__)

ROPC_WARNING = ("Using authentication with username and password in the command line is strongly discouraged. "
                "Consider using one of the recommended authentication methods. "
                "For more details, see https://go.microsoft.com/fwlink/?linkid=2276314")


def _profile():
    from akslocal.cli.app import session

    return session()


def login(username=None, password=None, service_principal=False, tenant=None, allow_no_subscriptions=False,
          use_device_code=False, scope=None, subscription=None):
    """Log in to akslocal: device code by default, -u/-p (ROPC), or --service-principal."""
    accounts = _login(username, password, service_principal, tenant, allow_no_subscriptions, scope)
    if subscription:
        _profile().set_current(subscription)
        accounts = [dict(a, isDefault=a["id"] == subscription or a.get("name") == subscription) for a in accounts]
    # az's login output names the cloud `cloudName` where azureProfile.json says `environmentName`
    return [{("cloudName" if k == "environmentName" else k): v for k, v in a.items()} for a in accounts]


def _login(username, password, service_principal, tenant, allow_no_subscriptions, scope):
    profile = _profile()
    if service_principal:
        if not username or not password:
            raise ArgumentUsageError(
                "usage error: --service-principal --username NAME --password SECRET --tenant TENANT")
        return profile.login_service_principal(username, password, tenant, allow_no_subscriptions)
    if password and not username:
        raise ArgumentUsageError("usage error: --password needs --username")
    if username and not password:
        from knack.prompting import NoTTYException, prompt_pass

        try:
            password = prompt_pass("Password: ")
        except NoTTYException as error:
            raise AzLocalError("Please specify both username and password in non-interactive mode.") from error
    if username:
        logger.warning(ROPC_WARNING)
    scopes = [scope] if scope else None
    return profile.login_user(username, password, tenant, allow_no_subscriptions, scopes)


def logout(username=None):
    """Log out to remove access to akslocal."""
    _profile().logout(username)


def show_account(subscription=None):
    """Get the details of a subscription (no network call, like az)."""
    return _profile().current(subscription)


def list_accounts(all=False, refresh=False):
    """Get a list of the subscriptions of the logged in accounts."""
    subs = _profile().subscriptions()
    if not subs:
        logger.warning("Please run 'azlocal login' to access your accounts.")
    if not all:
        subs = [s for s in subs if s.get("state", "Enabled") == "Enabled"]
    return subs


def set_account(subscription):
    """Set a subscription to be the current active subscription."""
    _profile().set_current(subscription)


def get_access_token(resource=None, resource_type=None, scope=None, tenant=None, subscription=None):
    """Get a token for utilities to access akslocal (Resource Manager by default)."""
    from akslocal.cli.core.settings import ARM_RESOURCE, GRAPH_RESOURCE

    if scope and (resource or resource_type):
        raise ArgumentUsageError("usage error: --scope cannot be used with --resource or --resource-type")
    profile = _profile()
    account = dict(profile.current(subscription))
    if tenant:
        account["tenantId"] = tenant
    if resource_type == "ms-graph":
        resource = GRAPH_RESOURCE
    target = resource or ARM_RESOURCE
    if scope:
        if len(scope) != 1 or not scope[0].endswith("/.default"):
            raise AzLocalError("Only a single scope ending in '/.default' is supported.")
        target = scope[0][: -len("/.default")]
    result = profile.token(target, account)
    expires_on = int(time.time()) + int(result.get("expires_in", 0))
    token = {
        "accessToken": result["access_token"],
        "expiresOn": datetime.datetime.fromtimestamp(expires_on).strftime("%Y-%m-%d %H:%M:%S.%f"),
        "expires_on": expires_on,
        "tokenType": result.get("token_type", "Bearer"),
    }
    if account.get("name") != "N/A(tenant level account)" and not tenant:
        token["subscription"] = account["id"]
    token["tenant"] = account["tenantId"]
    return token
