"""`az login -u … -p …` (username and password) with the real az CLI needs akslocal on port 443.

MSAL asks ``https://<host>/common/userrealm/<user>`` without the authority's port, so the
flow only works when akslocal itself is on 443 (``akslocal start --port 443``). Skipped when
this machine cannot listen on 443 (not root, or the port is taken).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.live import LiveServer
from tests.support.realaz import Az, ensure_az

pytestmark = pytest.mark.slow

ADMIN = "admin@akslocal.onmicrosoft.com"
PASSWORD = "Adm1n-Passw0rd!"


def port_443_free() -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", 443))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory):
    if not port_443_free():
        pytest.skip("cannot listen on 127.0.0.1:443 (not root, or the port is taken)")
    az_path = ensure_az()
    root = tmp_path_factory.mktemp("realaz443")
    server = LiveServer.start(root / "data", port=443)
    home, config = root / "home", root / "azcfg"
    home.mkdir()
    try:
        subprocess.run([sys.executable, "-m", "akslocal.server.main", "az-config", "--endpoint", "https://127.0.0.1",
                        "--data-dir", str(server.data_dir), "--config-dir", str(config)], check=True,
                       capture_output=True)
        yield Az(az_path, server.env(AZURE_CONFIG_DIR=str(config), HOME=str(home),
                                     AZURE_CORE_COLLECT_TELEMETRY="false", AZURE_CORE_NO_COLOR="true",
                                     PATH=str(Path(sys.executable).parent) + ":/usr/bin:/bin"))
    finally:
        server.stop()


def test_username_password_login_on_port_443(env) -> None:
    az = env
    login = az("login", "-u", ADMIN, "-p", PASSWORD)
    assert "WARNING: Using authentication with username and password in the command line is strongly discouraged." in (
        login.stderr)
    accounts = json.loads(login.stdout)
    assert [(a["name"], a["user"]) for a in accounts] == [("akslocal", {"name": ADMIN, "type": "user"})]
    assert az("ad", "signed-in-user", "show", "--query", "userPrincipalName", "-o", "tsv").stdout.strip() == ADMIN
    cloud = json.loads(az("cloud", "show").stdout)
    assert cloud["endpoints"]["activeDirectory"] == "https://127.0.0.1"


def test_wrong_password_is_refused(env) -> None:
    az = env
    result = az("login", "-u", ADMIN, "-p", "not-the-password", check=False)
    assert result.returncode == 1
    assert "\nERROR: AADSTS50126: Error validating credentials due to invalid username or password.\n" in result.stderr
