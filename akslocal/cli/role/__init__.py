"""``azlocal role assignment ...``: Azure RBAC role assignments over Resource Manager."""


def load_command_table(loader) -> None:
    from akslocal.cli.role.commands import load_command_table as load

    load(loader)


def load_arguments(loader, command) -> None:
    from akslocal.cli.role._params import load_arguments as load

    load(loader, command)
