"""``azlocal ad ...``: applications, service principals, users, groups and permissions over Microsoft Graph."""


def load_command_table(loader) -> None:
    from akslocal.cli.ad.commands import load_command_table as load

    load(loader)


def load_arguments(loader, command) -> None:
    from akslocal.cli.ad._params import load_arguments as load

    load(loader, command)
