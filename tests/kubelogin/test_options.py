"""get-token's flags and kubelogin's environment precedence, as named table rows."""

from __future__ import annotations

import argparse

import pytest

from akslocal.kubelogin import execcredential, options
from akslocal.kubelogin.errors import KubeloginError


def parse(*argv: str, env: dict[str, str] | None = None) -> options.TokenOptions:
    parser = argparse.ArgumentParser()
    options.add_token_flags(parser)
    return options.from_args(parser.parse_args(["--server-id", "srv", "--client-id", "cli", *argv]), env or {})


@pytest.mark.parametrize(("argv", "env", "attr", "expected"), [
    pytest.param(["-l", "spn", "--client-secret", "flag", "-t", "t"], {}, "client_secret", "flag", id="flag"),
    pytest.param(["-l", "spn", "--client-secret", "flag", "-t", "t"], {"AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": "aad"},
                 "client_secret", "aad", id="aad-over-flag"),
    pytest.param(["-l", "spn", "--client-secret", "flag", "-t", "t"],
                 {"AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": "aad", "AZURE_CLIENT_SECRET": "azure"},
                 "client_secret", "azure", id="azure-over-aad"),
    pytest.param(["-l", "spn", "--client-secret", "x", "-t", "t"], {"AZURE_CLIENT_ID": "sp"}, "client_id", "sp",
                 id="spn-client-id-from-env"),
    pytest.param([], {"AZURE_CLIENT_ID": "sp"}, "client_id", "cli", id="devicecode-keeps-its-client-id"),
    pytest.param([], {"AZURE_TENANT_ID": "env-t"}, "tenant_id", "env-t", id="tenant-from-env"),
    pytest.param(["-l", "ropc"], {"AAD_USER_PRINCIPAL_NAME": "a", "AZURE_USERNAME": "b", "AZURE_PASSWORD": "p"},
                 "username", "b", id="ropc-user"),
    pytest.param(["-l", "devicecode"], {"AAD_LOGIN_METHOD": "ropc", "AZURE_USERNAME": "u", "AZURE_PASSWORD": "p"},
                 "login", "ropc", id="login-from-env"),
    pytest.param(["-l", "workloadidentity", "-t", "t"],
                 {"AZURE_FEDERATED_TOKEN_FILE": "/f", "AZURE_AUTHORITY_HOST": "https://a/"}, "authority_host",
                 "https://a/", id="workload-identity-authority"),
    pytest.param(["--timeout", "1m30s"], {}, "timeout", 90.0, id="go-duration"),
    pytest.param([], {"AZURE_CLI_TIMEOUT": "5s"}, "timeout", 5.0, id="timeout-from-env"),
    pytest.param(["--disable-environment-override"], {"AZURE_TENANT_ID": "env-t"}, "tenant_id", "",
                 id="override-disabled"),
    pytest.param(["-l", "spn", "--client-secret", "x", "-t", "t", "--use-azurerm-env-vars"],
                 {"ARM_CLIENT_SECRET": "arm", "AZURE_CLIENT_SECRET": "azure"}, "client_secret", "arm",
                 id="terraform-names"),
    pytest.param(["--use-azurerm-env-vars"], {"ARM_TENANT_ID": "arm-t", "AZURE_TENANT_ID": "azure-t"}, "tenant_id",
                 "arm-t", id="terraform-tenant"),
])
def test_precedence(argv: list[str], env: dict[str, str], attr: str, expected: object) -> None:
    assert getattr(parse(*argv, env=env), attr) == expected


@pytest.mark.parametrize(("argv", "message"), [
    pytest.param(["-l", "msi2"], "'msi2' is not a supported login method. Supported method is one of devicecode, "
                 "interactive, spn, ropc, azurecli, workloadidentity", id="unknown-login"),
    pytest.param(["--timeout", "soon"], "invalid duration", id="bad-timeout"),
    pytest.param(["--timeout", "0s"], "timeout must be greater than 0", id="zero-timeout"),
    pytest.param(["-l", "spn", "-t", "t"], "--client-secret is required for --login spn", id="spn-secret"),
    pytest.param(["-l", "ropc"], "--username is required for --login ropc", id="ropc-user"),
    pytest.param(["--client-certificate", "/c.pfx"], "--client-certificate is not supported", id="certificate"),
    pytest.param(["--pop-enabled"], "--pop-enabled is not supported", id="pop"),
])
def test_errors(argv: list[str], message: str) -> None:
    with pytest.raises(KubeloginError) as err:
        parse(*argv)
    assert message in err.value.message


def test_server_id_is_required() -> None:
    parser = argparse.ArgumentParser()
    options.add_token_flags(parser)
    with pytest.raises(KubeloginError, match="server-id is required"):
        options.from_args(parser.parse_args([]), {})


@pytest.mark.parametrize(("server_id", "scope", "resource"), [
    ("6dae42f8-4368-4678-94ff-3960e28e3630", "6dae42f8-4368-4678-94ff-3960e28e3630/.default",
     "6dae42f8-4368-4678-94ff-3960e28e3630"),
    ("api://my-api/", "api://my-api/.default", "api://my-api/"),
    ("api://x/.default", "api://x/.default", "api://x"),
])
def test_scope_and_resource(server_id: str, scope: str, resource: str) -> None:
    opts = options.TokenOptions(server_id=server_id)
    assert opts.scope == scope and opts.resource == resource


@pytest.mark.parametrize(("environment", "host", "authority", "discovery"), [
    ("AzurePublicCloud", "", "https://login.microsoftonline.com", True),
    ("AzureChinaCloud", "", "https://login.chinacloudapi.cn", True),
    ("AzurePublicCloud", "https://127.0.0.1:8443/", "https://127.0.0.1:8443", False),
    ("AzurePublicCloud", "127.0.0.1:8443", "https://127.0.0.1:8443", False),
])
def test_authority(environment: str, host: str, authority: str, discovery: bool) -> None:
    opts = options.TokenOptions(server_id="s", environment=environment, authority_host=host)
    assert opts.authority == authority and opts.instance_discovery is discovery


def test_authority_must_be_https_and_environment_known() -> None:
    with pytest.raises(KubeloginError, match="must be an https URL"):
        _ = options.TokenOptions(authority_host="http://127.0.0.1:80/").authority
    with pytest.raises(KubeloginError, match="unknown environment"):
        _ = options.TokenOptions(environment="Mars").authority
    assert not options.TokenOptions(disable_instance_discovery=True).instance_discovery


@pytest.mark.parametrize(("info", "expected"), [
    ("", execcredential.V1BETA1),
    ('{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential"}', execcredential.V1),
    ('{"apiVersion": "client.authentication.k8s.io/v1beta1"}', execcredential.V1BETA1),
    ('{"kind": "ExecCredential"}', execcredential.V1BETA1),
])
def test_exec_info(info: str, expected: str) -> None:
    assert execcredential.requested_api_version({"KUBERNETES_EXEC_INFO": info}) == expected


def test_exec_info_garbage_is_an_error() -> None:
    with pytest.raises(KubeloginError, match="cannot parse KUBERNETES_EXEC_INFO"):
        execcredential.requested_api_version({"KUBERNETES_EXEC_INFO": "{nope"})


def test_cache_file_names_cannot_escape_the_directory() -> None:
    from akslocal.kubelogin.cache import cache_file_name

    assert cache_file_name("AzurePublicCloud", "s", "c", "t", False) == "AzurePublicCloud-s-c-t.json"
    assert cache_file_name("AzurePublicCloud", "s", "c", "t", True) == "AzurePublicCloud-s-c-t_legacy.json"
    name = cache_file_name("../../etc", "a/b", "c", "t", False)
    assert "/" not in name and name.startswith(".._.._etc")


def test_global_flags_are_accepted_before_and_after_the_command(tmp_path) -> None:
    import subprocess

    from tests.kubelogin.conftest import PLUGIN, clean_env

    for argv in (["-v", "5", "get-token"], ["get-token", "-v", "5", "--logtostderr"]):
        done = subprocess.run([PLUGIN, *argv, "--login", "nope", "--server-id", "x"], capture_output=True, text=True,
                              env=clean_env(), timeout=30)
        assert done.returncode == 1 and "'nope' is not a supported login method" in done.stderr, done.stderr


@pytest.mark.parametrize(("environment", "host", "url", "discovery"), [
    pytest.param("AzurePublicCloud", "", "https://login.microsoftonline.com/t1", True, id="real-entra"),
    pytest.param("AzureUSGovernmentCloud", "", "https://login.microsoftonline.us/t1", True, id="us-gov"),
    pytest.param("AzurePublicCloud", "https://127.0.0.1:8443/", "https://127.0.0.1:8443/t1", False, id="akslocal"),
])
def test_clients_address_the_right_authority(environment: str, host: str, url: str, discovery: bool) -> None:
    from akslocal.kubelogin.legacy import LegacyClient
    from akslocal.kubelogin.modern import ModernClient

    opts = options.TokenOptions(server_id="s", client_id="c", tenant_id="t1", environment=environment,
                                authority_host=host)
    modern = ModernClient(opts, True, lambda: 0.0)
    assert modern.authority_url == url and modern._kwargs()["instance_discovery"] is discovery
    legacy = LegacyClient(opts, True, lambda: 0.0)
    try:
        assert legacy.base == f"{url}/oauth2"
    finally:
        legacy.close()
