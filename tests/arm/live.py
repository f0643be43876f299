"""A live akslocal with the ARM test directory, tokens for its principals, and a small ARM client with LRO polling."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.arm.seed import ADMIN, ADMIN_PASSWORD, AZURE_CLI, PASSWORD, Seed, seed_data_dir
from tests.support.live import LiveServer, free_port

ARM = "https://management.core.windows.net/"
API = {"api-version": "2025-07-01"}


def start_seeded(data_dir: Path) -> tuple[LiveServer, Seed]:
    port = free_port()
    s = seed_data_dir(data_dir, port)
    return LiveServer.start(data_dir, port=port), s


def user_token(server: LiveServer, tenant: str, username: str = ADMIN, password: str = ADMIN_PASSWORD,
               resource: str = ARM) -> str:
    """A v1 ROPC token as the Azure CLI client (no user-realm lookup, so any port works)."""
    with server.client() as client:
        r = client.post(f"/{tenant}/oauth2/token", data={"grant_type": "password", "client_id": AZURE_CLI,
                                                         "resource": resource, "username": username,
                                                         "password": password})
    r.raise_for_status()
    return r.json()["access_token"]


def alice_token(server: LiveServer, s: Seed) -> str:
    return user_token(server, s.tenant_id, "alice@akslocal.onmicrosoft.com", PASSWORD)


def sp_token(server: LiveServer, s: Seed) -> str:
    """The robot service principal's token, from azure-identity (a real client)."""
    from azure.identity import ClientSecretCredential

    credential = ClientSecretCredential(s.tenant_id, s.robot_app_id, s.robot_secret, authority=server.url,
                                        disable_instance_discovery=True, connection_verify=str(server.ca_path))
    return credential.get_token(ARM + "/.default").token


@dataclass
class Arm:
    """httpx against the edge with one bearer token; ``wait`` follows Azure-AsyncOperation to the end."""

    server: LiveServer
    token: str

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        params = {**API, **kwargs.pop("params", {})}
        with self.server.client() as client:
            return client.request(method, path, params=params, headers=headers, **kwargs)

    def get(self, path: str, **kw) -> httpx.Response:
        return self.request("GET", path, **kw)

    def put(self, path: str, json: object, **kw) -> httpx.Response:
        return self.request("PUT", path, json=json, **kw)

    def post(self, path: str, **kw) -> httpx.Response:
        return self.request("POST", path, **kw)

    def delete(self, path: str, **kw) -> httpx.Response:
        return self.request("DELETE", path, **kw)

    def wait(self, response: httpx.Response, limit: int = 100) -> dict:
        """Poll the operation status until it is terminal; returns the last status document."""
        url = response.headers["Azure-AsyncOperation"]
        with self.server.client() as client:
            for _ in range(limit):
                status = client.get(url, headers={"Authorization": f"Bearer {self.token}"})
                status.raise_for_status()
                doc = status.json()
                if doc["status"] in ("Succeeded", "Failed", "Canceled"):
                    return doc
                time.sleep(min(float(status.headers.get("Retry-After", "0") or 0), 0.2))
        raise AssertionError("operation did not finish")


def cluster_path(s: Seed, group: str, name: str) -> str:
    return (f"/subscriptions/{s.subscription_id}/resourceGroups/{group}/providers/Microsoft.ContainerService/"
            f"managedClusters/{name}")
