"""Graph's result caps with real data: a user in 11,001 groups gets Directory_ResultSizeLimitExceeded;
a user in 1,000 transitive groups gets them all (the webhook's hot path)."""

from __future__ import annotations

import pytest

from akslocal.clock import FixedClock
from akslocal.directory import groups, users
from akslocal.entropy import Entropy
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store
from tests.graph.conftest import error_of


def _populate(graph, upn: str, count: int, depth: int) -> str:
    """Write groups straight into the live server's store (SQLite WAL allows a second writer)."""
    data_dir = graph.server.data_dir
    services = Services(
        open_store(f"sqlite:///{data_dir / 'akslocal.db'}"), FixedClock(), Entropy(), Settings(data_dir)
    )
    try:
        with services.store.transaction() as tx:
            user = users.create_user(
                tx,
                graph.tenant_id,
                upn=upn,
                display_name=upn.split("@")[0],
                password="Us3r-Passw0rd!",
                now=0,
                entropy=services.entropy,
            )
            chains = count // depth
            for chain in range(chains):
                child = user.id
                for level in range(depth):
                    g = groups.create_group(
                        tx, graph.tenant_id, display_name=f"{upn[:4]}-{chain}-{level}", now=0, entropy=services.entropy
                    )
                    groups.add_member(tx, graph.tenant_id, g.id, child)
                    child = g.id
        return user.id
    finally:
        services.store.close()


def test_user_in_1000_transitive_groups(graph) -> None:
    user_id = _populate(graph, "thousand@akslocal.onmicrosoft.com", 1000, 10)
    with graph.admin() as c:
        ids = c.post(f"/users/{user_id}/getMemberGroups", json={"securityEnabledOnly": True}).json()["value"]
        assert len(ids) == len(set(ids)) == 1000
        objects = c.post(f"/users/{user_id}/getMemberObjects", json={"securityEnabledOnly": False}).json()["value"]
        assert len(objects) == 1000
        page = c.get(f"/users/{user_id}/transitiveMemberOf", params={"$top": "999"}).json()
        assert len(page["value"]) == 999 and "@odata.nextLink" in page
        assert len(c.get(page["@odata.nextLink"]).json()["value"]) == 1


@pytest.mark.slow
def test_more_than_11000_groups_is_graphs_error(graph) -> None:
    user_id = _populate(graph, "toomany@akslocal.onmicrosoft.com", 11_001, 1)
    with graph.admin() as c:
        for action in ("getMemberGroups", "getMemberObjects"):
            status, code, _ = error_of(c.post(f"/users/{user_id}/{action}", json={"securityEnabledOnly": False}))
            assert (status, code) == (400, "Directory_ResultSizeLimitExceeded")
