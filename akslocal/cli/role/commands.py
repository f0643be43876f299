"""Command table of ``azlocal role``."""

from knack.commands import CommandGroup


def load_command_table(loader) -> None:
    with CommandGroup(loader, "role assignment", "akslocal.cli.role.custom#{}") as g:
        g.command("create", "create_role_assignment")
        g.command("list", "list_role_assignments")
        g.command("delete", "delete_role_assignments")
