"""The plugin, run exactly as the ARM-made user kubeconfig says, against akslocal's real token service.

No cluster authentication is involved (that needs the webhook: see test_kubectl_live.py), so
this checks the plugin's side of the seed's claims on its own: the device-code prompt is the
service's, completed by ``akslocal devicelogin``; a cached token means no request at all (the
sign-in log stays the same); past expiry on the emulator clock the refresh token is used
silently; a revoked refresh token brings the prompt back; ten plugins started together sign
in once; ropc and spn; v1 and v1beta1 ExecCredentials.
"""

from __future__ import annotations

import calendar
import json
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from akslocal.clock import read_clock_offset
from tests.kubelogin.conftest import claims as claims_of
from tests.kubelogin.live import (
    PEOPLE,
    cache_files,
    emulator_now,
    run_exec_entry,
    run_together,
    sign_in_answer,
    signins,
)
from tests.support.cluster_flow import BIN, SeedCluster

pytestmark = pytest.mark.slow


def test_device_code_then_cache_then_refresh_then_revoked(cluster: SeedCluster, tmp_path: Path) -> None:
    server, (upn, _) = cluster.server, PEOPLE["alice"]
    alice = cluster.user(tmp_path / "alice")
    rc, out, err, prompts = run_exec_entry(alice, answer=sign_in_answer(alice, "alice"))
    assert rc == 0, err
    assert err.startswith(f"To sign in, use a web browser to open the page {server.url}/devicelogin and enter the "
                          "code ") and err.endswith(" to authenticate.\n")
    credential = json.loads(out)
    assert credential["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    token = credential["status"]["token"]
    claims = claims_of(token)
    assert claims["aud"] == f"spn:{cluster.server_app_id}" and claims["upn"] == upn
    assert claims["iss"] == f"https://sts.windows.net/{cluster.tenant_id}/"
    stamp = time.strptime(credential["status"]["expirationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(calendar.timegm(stamp) - (claims["exp"] - read_clock_offset(server.data_dir))) < 120
    [path] = cache_files(alice)
    assert path.stat().st_mode & 0o777 == 0o600
    logged = signins(server, upn)
    assert [e["grantType"] for e in logged].count("interactive") == 1

    rc, out, err, _ = run_exec_entry(alice)
    assert rc == 0 and err == "" and json.loads(out)["status"]["token"] == token
    assert len(signins(server, upn)) == len(logged)  # no request reached the token service

    cached = json.loads(path.read_text())
    server.advance_clock(float(cached["expires_on"]) - emulator_now(server) + 120)
    rc, out, err, _ = run_exec_entry(alice)
    assert rc == 0 and err == "", err
    new = signins(server, upn)[len(logged):]
    assert [e["grantType"] for e in new] == ["refresh_token"] and new[0]["status"]["errorCode"] == 0
    refreshed = json.loads(path.read_text())
    assert refreshed["access_token"] == json.loads(out)["status"]["token"] != token
    assert refreshed["refresh_token"] != cached["refresh_token"]

    # Revoke: the refresh token redeemed twice elsewhere, so Entra revokes its whole family.
    with server.client() as client:
        form = {"grant_type": "refresh_token", "client_id": cluster.client_app_id,
                "refresh_token": refreshed["refresh_token"], "resource": cluster.server_app_id}
        assert client.post(f"/{cluster.tenant_id}/oauth2/token", data=form).status_code == 200
        assert "AADSTS50173" in client.post(f"/{cluster.tenant_id}/oauth2/token", data=form).text
    server.advance_clock(float(refreshed["expires_on"]) - emulator_now(server) + 120)
    rc, out, err, prompts = run_exec_entry(alice, answer=sign_in_answer(alice, "alice"))
    assert rc == 0 and len(prompts) == 1, err
    assert claims_of(json.loads(out)["status"]["token"])["upn"] == upn


def test_ten_plugins_in_parallel_with_an_empty_cache_sign_in_once(cluster: SeedCluster, tmp_path: Path) -> None:
    server, (upn, password) = cluster.server, PEOPLE["bob"]
    bob = cluster.user(tmp_path / "bob")
    from tests.kubelogin.live import exec_entry

    exec_ = exec_entry(bob.kubeconfig)
    env = {**bob.env(), **{e["name"]: e["value"] for e in exec_["env"]}}
    before = len(signins(server, upn))

    def answer(_page: str, code: str) -> None:
        done = subprocess.run([str(BIN / "akslocal"), "devicelogin", "--code", code, "--username", upn,
                               "--password", password], capture_output=True, text=True, env=bob.env(), timeout=60)
        assert done.returncode == 0, done.stderr

    returncodes, outs, errs, prompts = run_together([str(BIN / exec_["command"]), *exec_["args"]], env, answer,
                                                    who="plugin")
    assert returncodes == [0] * 10, ["".join(e) for e in errs]
    assert len(prompts) == 1, ["".join(e) for e in errs]
    assert len({json.loads(out)["status"]["token"] for out in outs}) == 1
    new = signins(server, upn)[before:]
    assert [e["grantType"] for e in new].count("interactive") == 1
    assert len([e for e in new if e["grantType"] != "interactive" and e["status"]["errorCode"] == 0]) == 1
    [path] = cache_files(bob)
    assert json.loads(path.read_text())["access_token"] == json.loads(outs[0])["status"]["token"]
    assert not list(bob.token_cache.glob("*.tmp"))


@pytest.mark.parametrize("version", ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
def test_ropc_and_the_exec_credential_version(cluster: SeedCluster, tmp_path: Path, version: str) -> None:
    upn, password = PEOPLE["carol"]
    carol = cluster.user(tmp_path / "carol")
    env = {"AAD_LOGIN_METHOD": "ropc", "AAD_USER_PRINCIPAL_NAME": upn, "AAD_USER_PRINCIPAL_PASSWORD": password}
    rc, out, err, _ = run_exec_entry(carol, api_version=version, extra_env=env)
    assert rc == 0 and err == "", err
    credential = json.loads(out)
    assert credential["apiVersion"] == version and credential["kind"] == "ExecCredential"
    claims = claims_of(credential["status"]["token"])
    assert claims["aud"] == f"spn:{cluster.server_app_id}" and claims["upn"] == upn and claims["amr"] == ["pwd"]


def test_ropc_v2_without_legacy(cluster: SeedCluster, tmp_path: Path) -> None:
    upn, password = PEOPLE["dave"]
    dave = cluster.user(tmp_path / "dave")
    config = yaml.safe_load(dave.kubeconfig.read_text())
    config["users"][0]["user"]["exec"]["args"].remove("--legacy")
    dave.kubeconfig.write_text(yaml.safe_dump(config))
    rc, out, err, _ = run_exec_entry(dave, extra_env={"AAD_LOGIN_METHOD": "ropc", "AZURE_USERNAME": upn,
                                                      "AZURE_PASSWORD": password})
    assert rc == 0 and err == "", err
    claims = claims_of(json.loads(out)["status"]["token"])
    assert claims["aud"] == cluster.server_app_id  # v2 with <id>/.default: the app id, no spn: prefix
    assert claims["upn"] == upn
    [path] = cache_files(dave)
    assert not path.name.endswith("_legacy.json")


def test_spn_with_the_server_apps_secret(cluster: SeedCluster, tmp_path: Path) -> None:
    person = cluster.user(tmp_path / "deployer")
    env = {"AAD_LOGIN_METHOD": "spn", "AAD_SERVICE_PRINCIPAL_CLIENT_ID": cluster.server_app_id,
           "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": cluster.server_app_secret}
    rc, out, err, _ = run_exec_entry(person, extra_env=env)
    assert rc == 0 and err == "", err
    claims = claims_of(json.loads(out)["status"]["token"])
    assert claims["appid"] == cluster.server_app_id and "upn" not in claims
    assert not cache_files(person)  # spn tokens are not cached
    rc, out, err, _ = run_exec_entry(person, extra_env={**env, "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": "wrong"})
    assert rc == 1 and out == ""
    assert "AADSTS7000215" in err


def test_wrong_tenant_and_unknown_login_are_clear(cluster: SeedCluster, tmp_path: Path) -> None:
    person = cluster.user(tmp_path / "mallory")
    rc, _, err, _ = run_exec_entry(person, extra_env={"AAD_LOGIN_METHOD": "magic"})
    assert rc == 1 and "'magic' is not a supported login method" in err


def test_consent_missing_names_the_admins_fix(cluster: SeedCluster, tmp_path: Path) -> None:
    upn, password = PEOPLE["carol"]
    client_id = cluster.tsv("ad", "app", "create", "--display-name", "klNoGrantClient", "--native-app",
                            "--query", "appId")
    cluster.azlocal("ad", "sp", "create", "--id", client_id, "-o", "none")
    cluster.azlocal("ad", "app", "permission", "add", "--id", client_id, "--api", cluster.server_app_id,
                    "--api-permissions", f"{cluster.oauth_permission_id}=Scope", "-o", "none")
    person = cluster.user(tmp_path / "carol-nogrant")
    config = yaml.safe_load(person.kubeconfig.read_text())
    args = config["users"][0]["user"]["exec"]["args"]
    args[args.index("--client-id") + 1] = client_id
    person.kubeconfig.write_text(yaml.safe_dump(config))
    rc, out, err, _ = run_exec_entry(person, extra_env={"AAD_LOGIN_METHOD": "ropc", "AZURE_USERNAME": upn,
                                                        "AZURE_PASSWORD": password})
    assert rc == 1 and out == ""
    assert err.startswith("Error: consent is missing: AADSTS65001: "), err
    assert f"az ad app permission grant --id {client_id} --api {cluster.server_app_id}" in err
    assert f"az ad app permission admin-consent --id {client_id}" in err
    assert not cache_files(person)
