"""``azlocal aks ...``: managed clusters over Resource Manager, and kubeconfig merging."""


def load_command_table(loader) -> None:
    from akslocal.cli.aks.commands import load_command_table as load

    load(loader)


def load_arguments(loader, command) -> None:
    from akslocal.cli.aks._params import load_arguments as load

    load(loader, command)
