"""azlocal without a server: version, help, argument errors as az prints them, lazy imports."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.cli.support import AzLocal


@pytest.fixture
def azlocal(tmp_path: Path) -> AzLocal:
    return AzLocal(home=tmp_path, env={"AKSLOCAL_ENDPOINT": "https://127.0.0.1:9"})


def test_version_is_answered_without_knack(azlocal: AzLocal) -> None:
    result = azlocal("--version")
    assert result.stdout.startswith("azlocal")
    assert "0.1.0" in result.stdout


def test_importing_the_cli_pulls_in_no_server_or_http_libraries() -> None:
    code = ("import sys, akslocal.cli, akslocal.cli.main; "
            "heavy = [m for m in ('sqlalchemy', 'starlette', 'httpx', 'msal', 'knack', 'uvicorn') "
            "if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_command_loads_only_its_own_module() -> None:
    code = textwrap.dedent("""
        import sys
        from akslocal.cli.app import build_cli
        try:
            build_cli().invoke(["group", "create", "-h"], out_file=open("/dev/null", "w"))
        except SystemExit:
            pass
        print(sorted(m for m in sys.modules if m.startswith("akslocal.cli.") and m.count(".") == 2))
        print("httpx" in sys.modules, "msal" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    modules, heavy = out.strip().splitlines()[-2:]
    assert "akslocal.cli.resource" in modules
    assert "akslocal.cli.aks" not in modules and "akslocal.cli.ad" not in modules
    assert heavy == "False False"


def test_help_lists_the_groups(azlocal: AzLocal) -> None:
    out = azlocal("-h").stdout
    for group in ("ad", "aks", "account", "group", "role", "login", "logout"):
        assert f"\n    {group} " in out or f"    {group}\n" in out, out


def test_unknown_flag_exits_2_with_az_message(azlocal: AzLocal) -> None:
    result = azlocal("ad", "app", "show", "--id", "x", "--bogus", "1", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == "ERROR: unrecognized arguments: --bogus 1"


def test_missing_required_argument_exits_2(azlocal: AzLocal) -> None:
    result = azlocal("ad", "app", "create", check=False)
    assert result.returncode == 2
    assert "ERROR: the following arguments are required: --display-name" in result.stderr


def test_misspelled_command_exits_2(azlocal: AzLocal) -> None:
    result = azlocal("ad", "apq", check=False)
    assert result.returncode == 2
    assert "ERROR: 'apq' is misspelled or not recognized by the system." in result.stderr


def test_invalid_query_exits_2_with_the_query_reference(azlocal: AzLocal) -> None:
    result = azlocal("account", "show", "--query", "foo[", check=False)
    assert result.returncode == 2
    assert "ERROR: argument --query: invalid jmespath_type value: 'foo['" in result.stderr
    assert "https://learn.microsoft.com/cli/azure/query-azure-cli" in result.stderr


def test_invalid_output_format_exits_2(azlocal: AzLocal) -> None:
    result = azlocal("account", "show", "-o", "xml", check=False)
    assert result.returncode == 2
    assert "'xml' is not a valid value for '--output'" in result.stderr


def test_not_logged_in(azlocal: AzLocal) -> None:
    result = azlocal("account", "show", check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == "ERROR: Please run 'azlocal login' to setup account."


def test_unreachable_server_is_a_clear_error(azlocal: AzLocal) -> None:
    result = azlocal("login", "-u", "a@b.c", "-p", "x", check=False)
    assert result.returncode == 1
    assert "ERROR: Cannot reach akslocal at https://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_aks_get_credentials_format_with_admin_is_refused_before_any_call(azlocal: AzLocal) -> None:
    result = azlocal("aks", "get-credentials", "-g", "rg", "-n", "c", "--admin", "--format", "exec", check=False)
    assert result.returncode == 2
    assert "--format can only be specified when requesting clusterUser credential." in result.stderr


def test_aks_create_refuses_enable_aad_with_legacy_flags(azlocal: AzLocal) -> None:
    result = azlocal("aks", "create", "-g", "rg", "-n", "c", "--enable-aad", "--aad-server-app-id", "x",
                     check=False)
    assert result.returncode == 2
    assert '"--enable-aad" cannot be used together with' in result.stderr


def test_a_local_command_imports_no_msal_or_httpx(tmp_path: Path) -> None:
    code = ("import sys; from akslocal.cli.main import main; main(['account', 'list', '-o', 'none']); "
            "print([m for m in ('msal', 'httpx', 'sqlalchemy', 'starlette') if m in sys.modules])")
    env = {"AKSLOCAL_CONFIG_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_debug_log_hides_passwords_and_secrets(azlocal: AzLocal) -> None:
    result = azlocal("login", "-u", "a@b.c", "-p", "s3cret-value", "--debug", check=False)
    assert "Command arguments: ['login', '-u', 'a@b.c', '-p', '***', '--debug']" in result.stderr
    assert "s3cret-value" not in result.stderr
    result = azlocal("aks", "create", "-g", "rg", "-n", "c", "--aad-server-app-secret=s3cret-value", "--debug",
                     check=False)
    assert "s3cret-value" not in result.stderr


def test_credentials_are_never_sent_to_another_host(azlocal: AzLocal) -> None:
    result = azlocal("role", "assignment", "delete", "--ids", "https://evil.example/subscriptions/x", check=False)
    assert result.returncode == 1
    assert "ERROR: Refusing to send credentials to evil.example" in result.stderr
    relative = azlocal("role", "assignment", "delete", "--ids", "subscriptions/x", check=False)
    assert relative.returncode == 2
    assert "is not a resource path" in relative.stderr


def test_a_group_without_a_command_shows_its_help(azlocal: AzLocal) -> None:
    result = azlocal("ad", "app", "permission")
    assert "azlocal ad app permission" in result.stdout
    assert "admin-consent" in result.stdout and "grant" in result.stdout
    assert "Manage Microsoft Entra ID" in azlocal("ad").stdout
