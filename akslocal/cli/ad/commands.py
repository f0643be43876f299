"""Command table of ``azlocal ad``: handlers as ``module#function`` strings, imported only when run."""

from knack.commands import CommandGroup


def load_command_table(loader) -> None:
    apps, perms = "akslocal.cli.ad.apps#{}", "akslocal.cli.ad.permissions#{}"
    sps, directory = "akslocal.cli.ad.sps#{}", "akslocal.cli.ad.directory#{}"
    with CommandGroup(loader, "ad app", apps) as g:
        g.command("create", "create_application")
        g.command("update", "update_application")
        g.command("show", "show_application")
        g.command("list", "list_applications")
        g.command("delete", "delete_application")
    with CommandGroup(loader, "ad app credential", sps) as g:
        g.command("reset", "reset_app_credential")
        g.command("list", "list_app_credentials")
    with CommandGroup(loader, "ad app permission", perms) as g:
        g.command("add", "add_permission")
        g.command("delete", "delete_permission")
        g.command("grant", "grant_permission")
        g.command("admin-consent", "admin_consent")
        g.command("list", "list_permissions")
        g.command("list-grants", "list_grants")
    with CommandGroup(loader, "ad sp", sps) as g:
        g.command("create", "create_service_principal")
        g.command("show", "show_service_principal")
        g.command("list", "list_service_principals")
        g.command("delete", "delete_service_principal")
    with CommandGroup(loader, "ad sp credential", sps) as g:
        g.command("reset", "reset_credential")
        g.command("list", "list_credentials")
    with CommandGroup(loader, "ad user", directory) as g:
        g.command("create", "create_user")
        g.command("show", "show_user")
        g.command("list", "list_users")
        g.command("delete", "delete_user")
    with CommandGroup(loader, "ad group", directory) as g:
        g.command("create", "create_group")
        g.command("show", "show_group")
        g.command("list", "list_groups")
        g.command("delete", "delete_group")
    with CommandGroup(loader, "ad group member", directory) as g:
        g.command("add", "add_member")
        g.command("remove", "remove_member")
        g.command("list", "list_members")
        g.command("check", "check_member")
    with CommandGroup(loader, "ad signed-in-user", directory) as g:
        g.command("show", "signed_in_user_show")
