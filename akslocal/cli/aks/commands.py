"""Command table of ``azlocal aks``."""

from knack.commands import CommandGroup


def _table(result):
    rows = result if isinstance(result, list) else [result]
    return [{"Name": r.get("name"), "Location": r.get("location"), "ResourceGroup": r.get("resourceGroup"),
             "KubernetesVersion": r.get("kubernetesVersion"),
             "CurrentKubernetesVersion": r.get("currentKubernetesVersion"),
             "ProvisioningState": r.get("provisioningState"), "Fqdn": r.get("fqdn") or r.get("privateFqdn")}
            for r in rows if r]


def load_command_table(loader) -> None:
    with CommandGroup(loader, "aks", "akslocal.cli.aks.custom#{}") as g:
        g.command("create", "aks_create", table_transformer=_table)
        g.command("update", "aks_update", table_transformer=_table)
        g.command("update-credentials", "aks_update_credentials")
        g.command("show", "aks_show", table_transformer=_table)
        g.command("list", "aks_list", table_transformer=_table)
        g.command("delete", "aks_delete", confirmation=True)
        g.command("get-credentials", "aks_get_credentials")
        g.command("install-cli", "aks_install_cli")
        g.command("get-versions", "aks_get_versions")
