"""Arguments of ``azlocal aks`` (the seed's legacy AAD flags and the managed ones)."""

import os

from knack.arguments import ArgumentsContext


def load_arguments(loader, command) -> None:
    with ArgumentsContext(loader, "aks") as c:
        c.argument("resource_group", options_list=["--resource-group", "-g"], help="Name of the resource group.")
        c.argument("name", options_list=["--name", "-n"], help="Name of the managed cluster.")
        c.argument("location", options_list=["--location", "-l"], help="Location (default: the group's).")
        c.argument("no_wait", options_list=["--no-wait"], action="store_true",
                   help="Do not wait for the long-running operation to finish.")
        c.argument("aad_tenant_id", options_list=["--aad-tenant-id"], help="The tenant of the cluster's Entra ID.")
        c.argument("enable_aad", options_list=["--enable-aad"], action="store_true",
                   help="Enable AKS-managed Microsoft Entra integration.")
        c.argument("aad_admin_group_object_ids", options_list=["--aad-admin-group-object-ids"],
                   help="Comma-separated object ids of the cluster admin groups.")
        c.argument("enable_azure_rbac", options_list=["--enable-azure-rbac"], action="store_true",
                   help="Use Azure RBAC for Kubernetes authorization.")
        c.argument("disable_local_accounts", options_list=["--disable-local-accounts"], action="store_true",
                   help="Disable the static admin credentials.")
    for legacy in ("aks create", "aks update-credentials"):
        with ArgumentsContext(loader, legacy) as c:
            c.argument("aad_server_app_id", options_list=["--aad-server-app-id"],
                       help="(legacy AAD) the server application's id.")
            c.argument("aad_server_app_secret", options_list=["--aad-server-app-secret"],
                       help="(legacy AAD) the server application's secret.")
            c.argument("aad_client_app_id", options_list=["--aad-client-app-id"],
                       help="(legacy AAD) the client application's id.")
    with ArgumentsContext(loader, "aks update-credentials") as c:
        c.argument("reset_aad", options_list=["--reset-aad"], action="store_true",
                   help="Reset the cluster's legacy Entra applications.")
    with ArgumentsContext(loader, "aks create") as c:
        c.argument("node_count", options_list=["--node-count", "-c"], type=int, help="Number of nodes (default 3).")
        c.argument("generate_ssh_keys", options_list=["--generate-ssh-keys"], action="store_true",
                   help="Generate SSH public and private key files if missing.")
        c.argument("ssh_key_value", options_list=["--ssh-key-value"],
                   help="Public key path or key contents (default ~/.ssh/id_rsa.pub).")
        c.argument("no_ssh_key", options_list=["--no-ssh-key", "-x"], action="store_true", help="No SSH key.")
        c.argument("kubernetes_version", options_list=["--kubernetes-version", "-k"],
                   help="Version of Kubernetes (default: the service's default).")
        c.argument("dns_name_prefix", options_list=["--dns-name-prefix", "-p"], help="Prefix for the FQDN.")
        c.argument("node_vm_size", options_list=["--node-vm-size", "-s"], help="Size of the nodes.")
        c.argument("nodepool_name", options_list=["--nodepool-name"], help="Name of the node pool.")
        c.argument("disable_rbac", options_list=["--disable-rbac"], action="store_true",
                   help="Disable Kubernetes RBAC.")
        c.argument("tags", options_list=["--tags"], nargs="*", help="Space-separated tags: key[=value].")
    with ArgumentsContext(loader, "aks update") as c:
        c.argument("disable_azure_rbac", options_list=["--disable-azure-rbac"], action="store_true",
                   help="Use Kubernetes RBAC again.")
        c.argument("enable_local_accounts", options_list=["--enable-local-accounts"], action="store_true",
                   help="Enable the static admin credentials.")
    with ArgumentsContext(loader, "aks get-credentials") as c:
        c.argument("admin", options_list=["--admin", "-a"], action="store_true", help="Get the admin credentials.")
        c.argument("path", options_list=["--file", "-f"], default=os.path.join("~", ".kube", "config"),
                   help="Kubeconfig file to update; '-' prints it to stdout.")
        c.argument("overwrite_existing", options_list=["--overwrite-existing"], action="store_true",
                   help="Overwrite any existing cluster entry with the same name.")
        c.argument("context_name", options_list=["--context"], help="Name of the context (default: the cluster's).")
        c.argument("public_fqdn", options_list=["--public-fqdn"], action="store_true", help="The public FQDN.")
        c.argument("credential_format", options_list=["--format"], choices=["azure", "exec"],
                   help="User credential format (AAD clusters): azure or exec.")
    with ArgumentsContext(loader, "aks install-cli") as c:
        c.argument("install_location", options_list=["--install-location"], help="Ignored: nothing is downloaded.")
        c.argument("kubelogin_install_location", options_list=["--kubelogin-install-location"], help="Ignored.")
        c.argument("client_version", options_list=["--client-version"], help="Ignored.")
        c.argument("kubelogin_version", options_list=["--kubelogin-version"], help="Ignored.")
    with ArgumentsContext(loader, "aks list") as c:
        c.argument("resource_group", options_list=["--resource-group", "-g"], help="Name of the resource group.")
