"""The real kubectl with akslocal-kubelogin against clusters of a live akslocal.

One server per module; a legacy Entra cluster built by the seed's own commands
(:mod:`tests.support.cluster_flow`) and an AKS-managed Entra cluster made with
``azlocal aks create --enable-aad``.  Every person has their own HOME, so their own
``~/.kube/cache/kubelogin``.  Device codes are completed by ``akslocal devicelogin``,
reading the code from the plugin's prompt on kubectl's stderr; "no token request" and
"one sign-in" are read from the token service's sign-in log (``/_akslocal/signins``).
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.kubelogin.live import (
    MANAGED,
    PEOPLE,
    POD_ROW,
    build_managed,
    cache_files,
    emulator_now,
    run_together,
    sign_in_answer,
    signins,
)
from tests.support.cluster_flow import BIN, UNAUTHORIZED, KubectlUser, SeedCluster

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def managed(cluster: SeedCluster) -> str:
    return build_managed(cluster)


def test_device_code_cache_refresh_and_revocation(cluster: SeedCluster, tmp_path: Path) -> None:
    server, (upn, _) = cluster.server, PEOPLE["alice"]
    alice = cluster.user(tmp_path / "alice")
    first = alice.kubectl("get", "pods", "--all-namespaces", answer=sign_in_answer(alice, "alice"))
    assert first.result.returncode == 0, first.stderr
    assert len(first.prompts) == 1 and first.prompts[0][0] == f"{server.url}/devicelogin"
    assert POD_ROW.search(first.stdout), first.stdout
    [path] = cache_files(alice)
    assert path.name == (f"AzurePublicCloud-{cluster.server_app_id}-{cluster.client_app_id}-"
                         f"{cluster.tenant_id}_legacy.json")
    assert path.stat().st_mode & 0o777 == 0o600
    cached = json.loads(path.read_text())
    logged = len(signins(server, upn))

    # Within the token's life: no prompt, and not one request to the token service.
    again = alice.kubectl("get", "pods", "--all-namespaces")
    assert again.result.returncode == 0 and again.stderr == "", again.stderr
    assert len(signins(server, upn)) == logged

    # Past expiry on the emulator clock: the refresh token, silently.
    server.advance_clock(float(cached["expires_on"]) - emulator_now(server) + 120)
    refreshed = alice.kubectl("get", "pods", "--all-namespaces")
    assert refreshed.result.returncode == 0 and not refreshed.prompts, refreshed.stderr
    new = signins(server, upn)[logged:]
    assert [e["grantType"] for e in new] == ["refresh_token"] and new[0]["status"]["errorCode"] == 0
    rotated = json.loads(path.read_text())
    assert rotated["access_token"] != cached["access_token"] and rotated["refresh_token"] != cached["refresh_token"]

    # The refresh token revoked (presented twice elsewhere: Entra revokes the whole family), the
    # access token expired: the prompt comes back, and the sign-in works again.
    with server.client() as client:
        form = {"grant_type": "refresh_token", "client_id": cluster.client_app_id,
                "refresh_token": rotated["refresh_token"], "resource": cluster.server_app_id}
        assert client.post(f"/{cluster.tenant_id}/oauth2/token", data=form).status_code == 200
        reused = client.post(f"/{cluster.tenant_id}/oauth2/token", data=form)
    assert reused.status_code == 400 and "AADSTS50173" in reused.json()["error_description"]
    server.advance_clock(float(rotated["expires_on"]) - emulator_now(server) + 120)
    prompted = alice.kubectl("get", "pods", "--all-namespaces", answer=sign_in_answer(alice, "alice"))
    assert prompted.result.returncode == 0, prompted.stderr
    assert len(prompted.prompts) == 1 and POD_ROW.search(prompted.stdout)


def test_ten_kubectl_processes_with_an_empty_cache_sign_in_once(cluster: SeedCluster, tmp_path: Path) -> None:
    server, (upn, _) = cluster.server, PEOPLE["bob"]
    bob = cluster.user(tmp_path / "bob")
    before = len(signins(server, upn))
    returncodes, outs, errs, prompts = run_together(["kubectl", "get", "nodes"], bob.env(), sign_in_answer(bob, "bob"),
                                                    who="kubectl", cwd=bob.home)
    assert returncodes == [0] * 10, ["".join(e) for e in errs]
    assert len(prompts) == 1, ["".join(e) for e in errs]
    assert all(re.search(r"^aks-nodepool1-\S+\s+Ready", out, re.M) for out in outs), outs
    new = signins(server, upn)[before:]
    assert [e["grantType"] for e in new].count("interactive") == 1
    assert sum(1 for e in new if "device_code" in e["grantType"] and e["status"]["errorCode"] == 0) == 1
    [path] = cache_files(bob)
    assert json.loads(path.read_text())["access_token"].startswith("eyJ")
    assert not list(bob.token_cache.glob("*.tmp"))


def _set_exec_api_version(person: KubectlUser, version: str) -> None:
    config = yaml.safe_load(person.kubeconfig.read_text())
    config["users"][0]["user"]["exec"]["apiVersion"] = version
    person.kubeconfig.write_text(yaml.safe_dump(config))


@pytest.mark.parametrize("version", ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
def test_exec_credential_v1_and_v1beta1(cluster: SeedCluster, tmp_path: Path, version: str) -> None:
    carol = cluster.user(tmp_path / "carol")
    _set_exec_api_version(carol, version)
    env = {"AAD_LOGIN_METHOD": "ropc", "AAD_USER_PRINCIPAL_NAME": PEOPLE["carol"][0],
           "AAD_USER_PRINCIPAL_PASSWORD": PEOPLE["carol"][1]}
    done = subprocess.run(["kubectl", "get", "pods", "-A"], capture_output=True, text=True, timeout=120,
                          env={**carol.env(), **env}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert POD_ROW.search(done.stdout) and "enter the code" not in done.stderr


def test_ropc_mode_from_the_converted_kubeconfig(cluster: SeedCluster, tmp_path: Path) -> None:
    dave = cluster.user(tmp_path / "dave")
    upn, password = PEOPLE["dave"]
    converted = subprocess.run([str(BIN / "akslocal-kubelogin"), "convert-kubeconfig", "-l", "ropc", "--username",
                                upn, "--password", password], capture_output=True, text=True, env=dave.env(),
                               timeout=30)
    assert converted.returncode == 0, converted.stderr
    args = yaml.safe_load(dave.kubeconfig.read_text())["users"][0]["user"]["exec"]["args"]
    assert args[:3] == ["get-token", "--login", "ropc"] and "--legacy" in args
    first = dave.kubectl("get", "pods", "-A")
    assert first.result.returncode == 0 and not first.prompts, first.stderr
    grants = [e["grantType"] for e in signins(cluster.server, upn)]
    assert grants == ["password"]
    assert dave.kubectl("get", "pods", "-A").result.returncode == 0
    assert [e["grantType"] for e in signins(cluster.server, upn)] == ["password"]  # cached


def test_legacy_azure_format_kubeconfig_is_refused_by_kubectl_until_converted(cluster: SeedCluster,
                                                                              tmp_path: Path) -> None:
    alice = cluster.user(tmp_path / "alice-azure", credentials=False)
    alice.get_credentials("--format", "azure")
    refused = alice.kubectl("get", "pods", "-A")
    assert refused.result.returncode == 1
    assert "The azure auth plugin has been removed." in refused.stderr
    done = subprocess.run([str(BIN / "akslocal-kubelogin"), "convert-kubeconfig"], capture_output=True, text=True,
                          env=alice.env(), timeout=30)
    assert done.returncode == 0, done.stderr
    user = yaml.safe_load(alice.kubeconfig.read_text())["users"][0]["user"]
    assert "auth-provider" not in user and "--legacy" in user["exec"]["args"]
    works = alice.kubectl("get", "pods", "-A", answer=sign_in_answer(alice, "alice"))
    assert works.result.returncode == 0 and len(works.prompts) == 1, works.stderr
    token = json.loads(cache_files(alice)[0].read_text())["access_token"]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["aud"] == f"spn:{cluster.server_app_id}"


def test_managed_cluster_converted_from_azure_format_uses_v2(cluster: SeedCluster, managed: str,
                                                             tmp_path: Path) -> None:
    erin = KubectlUser(cluster, tmp_path / "erin")
    cluster.azlocal("aks", "get-credentials", "-g", cluster.resource_group, "-n", MANAGED, "--format", "azure",
                    "--overwrite-existing", "--file", str(erin.kubeconfig))
    provider = yaml.safe_load(erin.kubeconfig.read_text())["users"][0]["user"]["auth-provider"]
    assert provider["config"]["config-mode"] == "1"
    done = subprocess.run([str(BIN / "akslocal-kubelogin"), "convert-kubeconfig"], capture_output=True, text=True,
                          env=erin.env(), timeout=30)
    assert done.returncode == 0, done.stderr
    args = yaml.safe_load(erin.kubeconfig.read_text())["users"][0]["user"]["exec"]["args"]
    assert "--legacy" not in args and "6dae42f8-4368-4678-94ff-3960e28e3630" in args
    works = erin.kubectl("get", "pods", "-A", answer=sign_in_answer(erin, "erin"))
    assert works.result.returncode == 0 and len(works.prompts) == 1, works.stderr
    assert POD_ROW.search(works.stdout)
    [path] = cache_files(erin)
    assert not path.name.endswith("_legacy.json")


def test_spn_mode_on_the_managed_cluster(cluster: SeedCluster, managed: str, tmp_path: Path) -> None:
    app_id = cluster.tsv("ad", "app", "create", "--display-name", "kl-deployer", "--query", "appId")
    sp_id = cluster.tsv("ad", "sp", "create", "--id", app_id, "--query", "id")
    secret = cluster.tsv("ad", "sp", "credential", "reset", "--id", app_id, "--query", "password")
    frank = KubectlUser(cluster, tmp_path / "frank")
    cluster.azlocal("aks", "get-credentials", "-g", cluster.resource_group, "-n", MANAGED, "--overwrite-existing",
                    "--file", str(frank.kubeconfig))
    done = subprocess.run([str(BIN / "akslocal-kubelogin"), "convert-kubeconfig", "-l", "spn"], capture_output=True,
                          text=True, env=frank.env(), timeout=30)
    assert done.returncode == 0, done.stderr
    env = {**frank.env(), "AAD_SERVICE_PRINCIPAL_CLIENT_ID": app_id, "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": secret}

    def kubectl(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["kubectl", *args], capture_output=True, text=True, env={**env, **(extra or {})},
                              timeout=120, stdin=subprocess.DEVNULL)

    # Authenticated as the service principal (its object id; app tokens carry no groups), not yet authorized.
    forbidden = kubectl("get", "pods", "-A")
    assert forbidden.returncode == 1
    assert f'Error from server (Forbidden): pods is forbidden: User "{sp_id}" cannot list resource' in forbidden.stderr
    admin = tmp_path / "admin-kubeconfig"
    cluster.azlocal("aks", "get-credentials", "-g", cluster.resource_group, "-n", MANAGED, "--admin", "--file",
                    str(admin))
    bound = subprocess.run(["kubectl", "--kubeconfig", str(admin), "create", "clusterrolebinding", "kl-deployer",
                            "--clusterrole", "cluster-admin", "--user", sp_id], capture_output=True, text=True,
                           env=cluster.env, timeout=60)
    assert bound.returncode == 0, bound.stderr
    ok = kubectl("get", "pods", "-A")
    assert ok.returncode == 0, ok.stderr
    assert POD_ROW.search(ok.stdout) and ok.stderr == ""
    assert not cache_files(frank)  # kubelogin does not cache spn tokens
    wrong = kubectl("get", "pods", "-A", extra={"AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": "not-the-secret"})
    assert wrong.returncode == 1
    assert "AADSTS7000215" in wrong.stderr and "getting credentials: exec: executable akslocal-kubelogin failed" \
        in wrong.stderr


def test_unreachable_token_service_through_kubectl(cluster: SeedCluster, tmp_path: Path) -> None:
    person = cluster.user(tmp_path / "nobody")
    config = yaml.safe_load(person.kubeconfig.read_text())
    args = config["users"][0]["user"]["exec"]["args"]
    args[args.index("--authority-host") + 1] = "https://127.0.0.1:9/"
    person.kubeconfig.write_text(yaml.safe_dump(config))
    done = person.kubectl("get", "pods")
    assert done.result.returncode == 1
    assert "cannot reach the token service at https://127.0.0.1:9/" in done.stderr
    assert UNAUTHORIZED not in done.stderr
