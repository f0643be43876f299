"""convert-kubeconfig on the kubeconfigs ARM hands out: legacy and managed ``auth-provider: azure``, and exec users."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.kubelogin.conftest import PLUGIN, clean_env

SERVER, CLIENT, TENANT = "11111111-0000-0000-0000-000000000001", "22222222-0000-0000-0000-000000000002", "t-1"
AKS_SERVER, AKS_CLIENT = "6dae42f8-4368-4678-94ff-3960e28e3630", "80faf920-1908-4b52-b5ef-a8e7bedfc67a"


def kubeconfig(users: list[dict]) -> dict:
    return {"apiVersion": "v1", "kind": "Config", "current-context": users[0]["name"],
            "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1/clusters/x"}}],
            "contexts": [{"name": u["name"], "context": {"cluster": "c", "user": u["name"]}} for u in users],
            "users": users}


def provider(name: str, server: str, client: str, mode: str | None = None) -> dict:
    config = {"apiserver-id": server, "client-id": client, "environment": "AzurePublicCloud", "tenant-id": TENANT}
    if mode is not None:
        config["config-mode"] = mode
    return {"name": name, "user": {"auth-provider": {"name": "azure", "config": config}}}


def run(path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PLUGIN, "convert-kubeconfig", "--kubeconfig", str(path), *args], capture_output=True,
                          text=True, env=clean_env(**env), timeout=30)


def users(path: Path) -> dict[str, dict]:
    return {u["name"]: u["user"] for u in yaml.safe_load(path.read_text())["users"]}


def write(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


def test_legacy_auth_provider_becomes_a_legacy_exec_user(tmp_path: Path) -> None:
    path = write(tmp_path / "config", kubeconfig([provider("clusterUser_rg_legacy", SERVER, CLIENT)]))
    done = run(path, AKSLOCAL_ENDPOINT="https://127.0.0.1:8443", AKSLOCAL_CA_BUNDLE="/ca.pem",
               AKSLOCAL_DATA_DIR="/data")
    assert done.returncode == 0, done.stderr
    user = users(path)["clusterUser_rg_legacy"]
    assert "auth-provider" not in user
    exec_ = user["exec"]
    assert exec_["command"] == "akslocal-kubelogin" and exec_["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert exec_["args"] == ["get-token", "--login", "devicecode", "--server-id", SERVER, "--client-id", CLIENT,
                             "--tenant-id", TENANT, "--environment", "AzurePublicCloud", "--legacy",
                             "--authority-host", "https://127.0.0.1:8443/"]
    assert exec_["env"] == [{"name": "AKSLOCAL_CA_BUNDLE", "value": "/ca.pem"},
                            {"name": "AKSLOCAL_DATA_DIR", "value": "/data"}]
    assert exec_["interactiveMode"] == "IfAvailable"
    assert (path.stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize(("mode", "legacy"), [(None, True), ("0", True), ("1", False)])
def test_config_mode_decides_legacy(tmp_path: Path, mode: str | None, legacy: bool) -> None:
    path = write(tmp_path / "config", kubeconfig([provider("u", AKS_SERVER, AKS_CLIENT, mode)]))
    assert run(path).returncode == 0
    assert ("--legacy" in users(path)["u"]["exec"]["args"]) is legacy


def test_kubelogin_exec_user_is_converted_and_keeps_its_values(tmp_path: Path) -> None:
    exec_user = {"name": "managed", "user": {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "kubelogin",
        "args": ["get-token", "--environment", "AzurePublicCloud", "--server-id", AKS_SERVER, "--client-id",
                 AKS_CLIENT, "--tenant-id", TENANT, "--login", "devicecode"], "env": None}}}
    path = write(tmp_path / "config", kubeconfig([exec_user]))
    done = run(path, "--login", "ropc", "--authority-host", "https://sts.example/")
    assert done.returncode == 0, done.stderr
    args = users(path)["managed"]["exec"]["args"]
    assert args == ["get-token", "--login", "ropc", "--server-id", AKS_SERVER, "--client-id", AKS_CLIENT,
                    "--tenant-id", TENANT, "--environment", "AzurePublicCloud", "--authority-host",
                    "https://sts.example/"]


def test_spn_mode_takes_the_secret_from_the_flag_and_flags_win(tmp_path: Path) -> None:
    path = write(tmp_path / "config", kubeconfig([provider("u", SERVER, CLIENT)]))
    done = run(path, "-l", "spn", "--client-id", "sp-app", "--client-secret", "s3cret")
    assert done.returncode == 0, done.stderr
    args = users(path)["u"]["exec"]["args"]
    assert args[args.index("--client-id") + 1] == "sp-app"
    assert args[args.index("--client-secret") + 1] == "s3cret" and "--legacy" in args


def test_azurecli_mode_drops_the_tenant_unless_given(tmp_path: Path) -> None:
    path = write(tmp_path / "config", kubeconfig([provider("u", SERVER, CLIENT)]))
    assert run(path, "-l", "azurecli").returncode == 0
    assert users(path)["u"]["exec"]["args"] == ["get-token", "--login", "azurecli", "--server-id", SERVER]


def test_context_limits_the_conversion(tmp_path: Path) -> None:
    other = {"name": "admin", "user": {"token": "static"}}
    path = write(tmp_path / "config", kubeconfig([provider("one", SERVER, CLIENT), provider("two", SERVER, CLIENT),
                                                  other]))
    assert run(path, "--context", "two").returncode == 0
    converted = users(path)
    assert "auth-provider" in converted["one"] and "exec" in converted["two"]
    assert converted["admin"] == {"token": "static"}


def test_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "config", kubeconfig([provider("u", "", CLIENT)]))
    done = run(path)
    assert done.returncode == 1 and "--server-id is required" in done.stderr
    assert "auth-provider" in users(path)["u"]  # untouched on error
    assert "no context exists with the name" in run(path, "--context", "nope").stderr
    assert "is not a supported login method" in run(path, "-l", "magic", "--server-id", "x").stderr
    assert "unable to load kubeconfig" in run(tmp_path / "missing").stderr


def test_kubeconfig_comes_from_the_first_kubeconfig_entry(tmp_path: Path) -> None:
    path = write(tmp_path / "config", kubeconfig([provider("u", SERVER, CLIENT)]))
    done = subprocess.run([PLUGIN, "convert-kubeconfig"], capture_output=True, text=True, timeout=30,
                          env=clean_env(KUBECONFIG=f"{path}:{tmp_path / 'other'}"))
    assert done.returncode == 0, done.stderr
    assert "exec" in users(path)["u"]
