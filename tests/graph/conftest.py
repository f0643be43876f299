"""A live akslocal for the Graph tests, and real tokens from its token service (MSAL)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import msal
import pytest

from tests.support.live import LiveServer

ADMIN_PASSWORD = "Adm1n-Passw0rd!"
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
GRAPH = "00000003-0000-0000-c000-000000000000"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@dataclass
class GraphEnv:
    server: LiveServer
    tenant_id: str
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def user_token(
        self,
        username: str,
        password: str,
        scope: str = GRAPH_SCOPE,
        client_id: str = AZURE_CLI,
        tenant: str | None = None,
    ) -> str:
        cache_key = f"{username}|{scope}|{client_id}|{tenant}"
        if cache_key not in self.tokens:
            msal.authority.Authority._domains_without_user_realm_discovery.add("127.0.0.1")
            app = msal.PublicClientApplication(
                client_id, authority=f"{self.url}/{tenant or self.tenant_id}", instance_discovery=False
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # ROPC is deprecated for public clients
                result = app.acquire_token_by_username_password(username, password, [scope])
            assert "access_token" in result, result
            self.tokens[cache_key] = result["access_token"]
        return self.tokens[cache_key]

    def app_token(self, app_id: str, secret: str, scope: str = GRAPH_SCOPE) -> str:
        app = msal.ConfidentialClientApplication(
            app_id, client_credential=secret, authority=f"{self.url}/{self.tenant_id}", instance_discovery=False
        )
        result = app.acquire_token_for_client([scope])
        assert "access_token" in result, result
        return result["access_token"]

    @property
    def admin_token(self) -> str:
        return self.user_token("admin@akslocal.onmicrosoft.com", ADMIN_PASSWORD)

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        h = dict(headers)
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        import ssl

        context = ssl.create_default_context(cafile=str(self.server.ca_path))
        return httpx.Client(base_url=f"{self.url}/v1.0", verify=context, headers=h, timeout=30)

    def admin(self) -> httpx.Client:
        return self.client(self.admin_token)

    def import_fixture(self, fixture: Path) -> None:
        """``akslocal import`` a YAML fixture into the running server's data dir; it must succeed."""
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "akslocal.server.main",
                "import",
                str(fixture),
                "--data-dir",
                str(self.server.data_dir),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> Iterator[GraphEnv]:
    server = LiveServer.start(tmp_path_factory.mktemp("graph") / "data")
    old = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(server.ca_path)
    try:
        yield GraphEnv(server, server.banner_value("Tenant:"))
    finally:
        server.stop()
        if old is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = old


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()["error"]
    assert set(body["innerError"]) >= {"date", "request-id", "client-request-id"}
    return response.status_code, body["code"], body["message"]
