"""``azlocal login``, ``logout`` and ``account ...``: sign-in and the local account list."""


def load_command_table(loader) -> None:
    from akslocal.cli.account.commands import load_command_table as load

    load(loader)


def load_arguments(loader, command) -> None:
    from akslocal.cli.account._params import load_arguments as load

    load(loader, command)
