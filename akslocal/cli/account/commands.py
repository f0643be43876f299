"""Command table of sign-in and accounts."""

from knack.commands import CommandGroup

CUSTOM = "akslocal.cli.account.custom#{}"


def load_command_table(loader) -> None:
    with CommandGroup(loader, "", CUSTOM) as g:
        g.command("login", "login")
        g.command("logout", "logout")
    with CommandGroup(loader, "account", CUSTOM) as g:
        g.command("show", "show_account")
        g.command("list", "list_accounts")
        g.command("set", "set_account")
        g.command("get-access-token", "get_access_token")
