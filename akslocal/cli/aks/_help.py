"""Help of ``azlocal aks``."""
# ruff: noqa: E501 - help examples are whole command lines

from knack.help_files import helps

helps["aks"] = """
type: group
short-summary: Manage managed Kubernetes clusters (akslocal's AKS).
"""
helps["aks create"] = """
type: command
short-summary: Create a managed Kubernetes cluster.
examples:
  - name: Legacy Entra integration, as in the seed document.
    text: azlocal aks create -g myResourceGroup -n myakscluster --node-count 1 --generate-ssh-keys --aad-server-app-id SERVER --aad-server-app-secret SECRET --aad-client-app-id CLIENT --aad-tenant-id TENANT
  - name: AKS-managed Entra ID.
    text: azlocal aks create -g myResourceGroup -n myakscluster --enable-aad --aad-admin-group-object-ids GROUP_ID
"""
helps["aks get-credentials"] = """
type: command
short-summary: Get access credentials for a managed Kubernetes cluster.
examples:
  - name: Admin credentials, merged into ~/.kube/config as <name>-admin.
    text: azlocal aks get-credentials --resource-group myResourceGroup --name myakscluster --admin
"""
helps["aks install-cli"] = """
type: command
short-summary: Check that kubectl and akslocal-kubelogin are on PATH (nothing is downloaded).
"""
