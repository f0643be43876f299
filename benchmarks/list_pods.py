"""Server time to list 10,000 pods as a Table (what ``kubectl get pods -A`` asks for).

Builds a cluster in a temporary store, adds N pods straight through the object layer,
then times, in the same process:

* store scan - reading the N pod records from the store (the floor);
* JSON list  - ``GET /api/v1/pods`` rendered as a PodList;
* Table list - the same with ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io``.

Run: ``.venv/bin/python benchmarks/list_pods.py [--pods 10000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import tempfile
import time
from pathlib import Path

import httpx
from starlette.applications import Starlette

from akslocal.clock import FixedClock
from akslocal.entropy import Entropy
from akslocal.kube import objects, provision
from akslocal.kube.resources import PODS
from akslocal.kube.routes import routes
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store

TABLE = ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
         "application/json")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    services = Services(open_store(f"sqlite:///{tmp}/s.db"), FixedClock(), Entropy(seed=1), Settings(data_dir=tmp))
    creds = provision.provision_cluster(services, provision.ClusterSpec(
        cluster_id="bench", name="bench", resource_group="rg", kubernetes_version="1.32.4", node_count=3,
        auth=provision.ClusterAuth(mode="none")))
    with services.store.transaction(write=False) as tx:
        template = objects.scan(tx, "bench", PODS, "kube-system")[0]
    with services.store.transaction() as tx:
        for i in range(args.pods):
            pod = copy.deepcopy(template)
            pod["metadata"].update(name=f"pod-{i:05d}", namespace="default", uid=f"uid-{i}")
            pod["metadata"].pop("ownerReferences", None)
            objects.write(tx, "bench", PODS, pod, created=True)
    app = Starlette(routes=routes(services))
    auth = {"Authorization": f"Bearer {creds.admin_token}"}

    async def get(accept: str) -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://edge") as c:
            r = await c.get("/clusters/bench/api/v1/pods", headers={**auth, "Accept": accept})
            return len(r.content)

    def timed(fn) -> float:  # type: ignore[no-untyped-def]
        best = float("inf")
        for _ in range(args.rounds):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        return best

    def scan() -> None:
        with services.store.transaction(write=False) as tx:
            tx.scan(objects.OBJECTS, prefix="bench/core/pods/")

    scan_s = timed(scan)
    json_s = timed(lambda: asyncio.run(get("application/json")))
    table_s = timed(lambda: asyncio.run(get(TABLE)))
    total = args.pods + 12
    print(f"pods listed: {total}")
    print(f"store scan  {scan_s * 1000:8.1f} ms")
    print(f"JSON list   {json_s * 1000:8.1f} ms   ({json_s / scan_s:.1f}x the store scan)")
    print(f"Table list  {table_s * 1000:8.1f} ms   ({table_s / scan_s:.1f}x the store scan, "
          f"{table_s / json_s:.2f}x the JSON list)")


if __name__ == "__main__":
    main()
