"""Arguments of sign-in and accounts (az's names and short options)."""

from knack.arguments import ArgumentsContext


def load_arguments(loader, command) -> None:
    with ArgumentsContext(loader, "login") as c:
        c.argument("username", options_list=["--username", "-u"],
                   help="User name, or the application id of a service principal.")
        c.argument("password", options_list=["--password", "-p"], help="The user's password or the client secret.")
        c.argument("service_principal", options_list=["--service-principal"], action="store_true",
                   help="Log in as a service principal (-u app id, -p secret, --tenant).")
        c.argument("tenant", options_list=["--tenant", "-t"], help="The tenant id or a verified domain.")
        c.argument("allow_no_subscriptions", action="store_true",
                   help="Allow a login to a tenant without subscriptions (tenant-level account).")
        c.argument("use_device_code", action="store_true", help="Use the device code flow (the default here).")
        c.argument("scope", options_list=["--scope"], help="The scope requested at login.")
        c.argument("subscription", options_list=["--subscription"], help="The subscription to make current.")
    with ArgumentsContext(loader, "logout") as c:
        c.argument("username", options_list=["--username"], help="The account to log out (default: the current).")
    for name in ("account show", "account set", "account get-access-token"):
        with ArgumentsContext(loader, name) as c:
            c.argument("subscription", options_list=["--subscription", "--name", "-n", "-s"],
                       help="Name or id of a subscription.")
    with ArgumentsContext(loader, "account list") as c:
        c.argument("all", options_list=["--all"], action="store_true", help="List every account.")
        c.argument("refresh", options_list=["--refresh"], action="store_true", help="Ignored (no remote refresh).")
    with ArgumentsContext(loader, "account get-access-token") as c:
        c.argument("resource", options_list=["--resource"],
                   help="Azure resource endpoint (default: Resource Manager, https://management.core.windows.net/).")
        c.argument("resource_type", options_list=["--resource-type"], choices=["arm", "ms-graph"],
                   help="Type of well-known resource.")
        c.argument("scope", options_list=["--scope"], nargs="+", help="Space-separated scopes (MSAL style).")
        c.argument("tenant", options_list=["--tenant", "-t"], help="Tenant of the token (default: the account's).")
