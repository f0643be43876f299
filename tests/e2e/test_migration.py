"""The seed's FAQ: a legacy cluster migrated to AKS-managed Microsoft Entra ID.

"Confirm your AKS cluster is migrated … using the az aks show command … the output shows
managed is true"; "The kubeconfig content changes after the migration. You need to merge the
new credentials into the kubeconfig file using the az aks get-credentials". After the
migration a member of an admin group (``--aad-admin-group-object-ids``) is cluster-admin, and
a managed cluster cannot be turned back into a legacy one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.cluster_flow import SeedCluster, import_fixture, set_up_cluster
from tests.support.live import LiveServer

pytestmark = pytest.mark.slow

AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
AKS_CLIENT_APP_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
FRANK, FRANK_PASSWORD = "frank@akslocal.onmicrosoft.com", "Fr4nk-Passw0rd!"
GRACE, GRACE_PASSWORD = "grace@akslocal.onmicrosoft.com", "Gr4ce-Passw0rd!"
FIXTURE = f"""\
tenants:
  - domain: default
    users:
      - upn: {FRANK}
        displayName: Frank
        password: {FRANK_PASSWORD}
        groups: [aks-admins]
      - upn: {GRACE}
        displayName: Grace
        password: {GRACE_PASSWORD}
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeedCluster]:
    root = tmp_path_factory.mktemp("migration")
    server = LiveServer.start(root / "data")
    try:
        import_fixture(server, root / "people.yaml", FIXTURE)
        yield set_up_cluster(server, root / "admin")
    finally:
        server.stop()


def aad_profile(cluster: SeedCluster) -> dict:
    shown = cluster.azlocal("aks", "show", "-g", cluster.resource_group, "-n", cluster.aksname, "--query",
                            "aadProfile")
    return json.loads(shown.stdout)


def exec_args(kubeconfig: Path, context: str) -> list[str]:
    config = yaml.safe_load(kubeconfig.read_text())
    user = next(c["context"]["user"] for c in config["contexts"] if c["name"] == context)
    return next(u["user"]["exec"]["args"] for u in config["users"] if u["name"] == user)


def test_legacy_to_managed_as_the_faq_describes(cluster: SeedCluster, tmp_path: Path) -> None:
    before = aad_profile(cluster)
    assert before["serverAppId"] == cluster.server_app_id and before["clientAppId"] == cluster.client_app_id
    assert before["managed"] in (False, None) and before["serverAppSecret"] is None
    assert before["tenantId"] == cluster.tenant_id

    # Frank keeps the cluster admin context in his kubeconfig, as the document's reader does.
    frank = cluster.user(tmp_path / "frank", credentials=False)
    cluster.azlocal("aks", "get-credentials", "-g", cluster.resource_group, "-n", cluster.aksname, "--admin",
                    "--file", str(frank.kubeconfig))

    admins = cluster.object_id("group", "aks-admins")
    cluster.azlocal("aks", "update", "-g", cluster.resource_group, "-n", cluster.aksname, "--enable-aad",
                    "--aad-admin-group-object-ids", admins)
    after = aad_profile(cluster)
    # The FAQ's example output, key by key (enableAzureRbac is null there, false here: both "not enabled").
    assert {k: v for k, v in after.items() if k != "enableAzureRbac"} == {
        "adminGroupObjectIDs": [admins], "adminUsers": None, "clientAppId": None, "managed": True,
        "serverAppId": None, "serverAppSecret": None, "tenantId": cluster.tenant_id}
    assert not after["enableAzureRbac"]

    # The new credentials merged into the kubeconfig (no --overwrite-existing: the FAQ's command).
    merged = cluster.azlocal("aks", "get-credentials", "--resource-group", cluster.resource_group, "--name",
                             cluster.aksname, "--file", str(frank.kubeconfig))
    assert f'Merged "{cluster.aksname}" as current context in {frank.kubeconfig}' in merged.stderr
    config = yaml.safe_load(frank.kubeconfig.read_text())
    assert {c["name"] for c in config["contexts"]} == {cluster.aksname, f"{cluster.aksname}-admin"}
    args = exec_args(frank.kubeconfig, cluster.aksname)
    assert args[args.index("--server-id") + 1] == AKS_SERVER_APP_ID
    assert args[args.index("--client-id") + 1] == AKS_CLIENT_APP_ID
    assert "--legacy" not in args

    # A member of the admin group is cluster-admin, with no binding of his own.
    can = frank.kubectl_signing_in(FRANK, FRANK_PASSWORD, "auth", "can-i", "*", "*")
    assert can.result.returncode == 0 and len(can.prompts) == 1, can.stderr
    assert can.stdout.strip() == "yes"
    whoami = frank.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}")
    assert admins in json.loads(whoami.stdout)

    # Someone outside the admin group is signed in but may do nothing.
    grace = cluster.user(tmp_path / "grace")
    cannot = grace.kubectl_signing_in(GRACE, GRACE_PASSWORD, "auth", "can-i", "*", "*")
    assert cannot.result.returncode == 1, cannot.stderr
    assert cannot.stdout.strip() == "no"


def test_a_managed_cluster_cannot_go_back_to_legacy(cluster: SeedCluster) -> None:
    if not aad_profile(cluster)["managed"]:
        cluster.azlocal("aks", "update", "-g", cluster.resource_group, "-n", cluster.aksname, "--enable-aad")
    # The seed's legacy flags on the existing (managed) cluster: refused, and the profile stays managed.
    back = cluster.azlocal("aks", "create", "--resource-group", cluster.resource_group, "--name", cluster.aksname,
                           "--node-count", "1", "--generate-ssh-keys", "--aad-server-app-id", cluster.server_app_id,
                           "--aad-server-app-secret", cluster.server_app_secret, "--aad-client-app-id",
                           cluster.client_app_id, "--aad-tenant-id", cluster.tenant_id, check=False)
    assert back.returncode == 1, back.stdout + back.stderr
    assert "(PropertyChangeNotAllowed)" in back.stderr and "aadProfile.managed" in back.stderr, back.stderr
    assert aad_profile(cluster)["managed"] is True
    # And --enable-aad on a managed cluster is az's own usage error.
    again = cluster.azlocal("aks", "update", "-g", cluster.resource_group, "-n", cluster.aksname, "--enable-aad",
                            check=False)
    assert again.returncode == 2, again.stderr
    assert 'Cannot specify "--enable-aad" if managed AAD is already enabled' in again.stderr
