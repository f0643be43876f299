"""``azlocal group ...``: resource groups over Resource Manager."""


def load_command_table(loader) -> None:
    from akslocal.cli.resource.commands import load_command_table as load

    load(loader)


def load_arguments(loader, command) -> None:
    from akslocal.cli.resource._params import load_arguments as load

    load(loader, command)
