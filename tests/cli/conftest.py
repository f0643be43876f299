"""Fixtures of the azlocal tests: a CLI home signed in to the module's live server as its Global Administrator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cli.support import AzLocal
from tests.support.live import LiveServer

ADMIN = "admin@akslocal.onmicrosoft.com"
PASSWORD = "Adm1n-Passw0rd!"


def client_for(server: LiveServer, home) -> AzLocal:
    env = server.env()
    env.pop("REQUESTS_CA_BUNDLE", None)  # azlocal finds the CA through AKSLOCAL_CA_BUNDLE alone
    env.pop("SSL_CERT_FILE", None)
    return AzLocal(home=home, env={k: env[k] for k in ("AKSLOCAL_ENDPOINT", "AKSLOCAL_CA_BUNDLE",
                                                       "AKSLOCAL_DATA_DIR")})


@pytest.fixture(scope="module")
def admin_cli(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AzLocal]:
    az = client_for(live_server, tmp_path_factory.mktemp("admin-home"))
    az("login", "-u", ADMIN, "-p", PASSWORD, "--allow-no-subscriptions", "-o", "none")
    yield az
