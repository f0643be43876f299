"""Watch in process: resume from a resourceVersion, selectors, and 410 Expired after compaction."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from akslocal.clock import FixedClock
from akslocal.entropy import Entropy
from akslocal.kube import objects, provision
from akslocal.kube.routes import routes
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store


@pytest.fixture
def env(tmp_path: Path) -> tuple[Services, str]:
    services = Services(open_store(f"sqlite:///{tmp_path}/s.db"), FixedClock(), Entropy(seed=1),
                        Settings(data_dir=tmp_path))
    creds = provision.provision_cluster(services, provision.ClusterSpec(
        cluster_id="w", name="w", resource_group="rg", kubernetes_version="1.32.4", node_count=1,
        auth=provision.ClusterAuth(mode="none")))
    return services, creds.admin_token


def _req(services: Services, token: str, method: str, path: str, **kw: Any) -> httpx.Response:
    app = Starlette(routes=routes(services))

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://edge") as c:
            return await c.request(method, "/clusters/w" + path, headers={"Authorization": f"Bearer {token}"}, **kw)

    return asyncio.run(go())


def _events(r: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in r.text.splitlines() if line.strip()]


def test_watch_resumes_after_a_resource_version_with_selectors(env: tuple[Services, str]) -> None:
    services, token = env
    start = _req(services, token, "GET", "/api/v1/namespaces/default/configmaps").json()["metadata"]["resourceVersion"]
    _req(services, token, "POST", "/api/v1/namespaces/default/configmaps", json={"metadata": {"name": "a",
                                                                                              "labels": {"x": "1"}}})
    _req(services, token, "POST", "/api/v1/namespaces/default/configmaps", json={"metadata": {"name": "b"}})
    _req(services, token, "DELETE", "/api/v1/namespaces/default/configmaps/a")
    r = _req(services, token, "GET", "/api/v1/namespaces/default/configmaps",
             params={"watch": "true", "resourceVersion": start, "timeoutSeconds": "1", "labelSelector": "x=1"})
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in _events(r)] == [("ADDED", "a"), ("DELETED", "a")]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in _events(r)]
    assert rvs == sorted(rvs) and rvs[0] > int(start)


def test_watch_without_resource_version_starts_with_current_objects(env: tuple[Services, str]) -> None:
    services, token = env
    r = _req(services, token, "GET", "/api/v1/nodes", params={"watch": "1", "timeoutSeconds": "1"})
    events = _events(r)
    assert [e["type"] for e in events] == ["ADDED"] and events[0]["object"]["kind"] == "Node"


def test_watch_from_a_compacted_resource_version_is_410(env: tuple[Services, str]) -> None:
    services, token = env
    with services.store.transaction() as tx:
        objects.compact_events(tx, "w", tx.current_rev() - 5)
    r = _req(services, token, "GET", "/api/v1/pods", params={"watch": "true", "resourceVersion": "3",
                                                            "timeoutSeconds": "1"})
    (event,) = _events(r)
    assert event["type"] == "ERROR"
    assert event["object"]["code"] == 410 and event["object"]["reason"] == "Expired"
    assert event["object"]["message"].startswith("too old resource version: 3 (")


def test_table_watch_rows(env: tuple[Services, str]) -> None:
    services, token = env
    app_headers = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}
    app = Starlette(routes=routes(services))

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://edge") as c:
            return await c.get("/clusters/w/api/v1/namespaces/kube-system/pods",
                               params={"watch": "true", "timeoutSeconds": "1"},
                               headers={"Authorization": f"Bearer {token}", **app_headers})

    r = asyncio.run(go())
    events = _events(r)
    assert events and all(e["object"]["kind"] == "Table" and len(e["object"]["rows"]) == 1 for e in events)
    assert [c["name"] for c in events[0]["object"]["columnDefinitions"]][:5] == [
        "Name", "Ready", "Status", "Restarts", "Age"]
    assert events[0]["object"]["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
