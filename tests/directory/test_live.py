"""`akslocal start --import` and restarts, on a real server process."""

from __future__ import annotations

import textwrap

from tests.graph.conftest import GraphEnv
from tests.support.live import LiveServer

FIXTURE = """
tenants:
  - domain: default
    users:
      - upn: dora@akslocal.onmicrosoft.com
        password: D0ra-Passw0rd
        groups: [{prefix: crew-, count: 250}]
"""


def test_start_with_import_and_restart_keeps_everything(tmp_path, monkeypatch) -> None:
    fixture = tmp_path / "fixture.yaml"
    fixture.write_text(textwrap.dedent(FIXTURE))
    data = tmp_path / "data"
    first = LiveServer.start(data, "--import", str(fixture))
    try:
        tenant = first.banner_value("Tenant:")
        assert any("Imported fixture.yaml" in line and "250 group(s)" in line for line in first.banner)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(first.ca_path))
        env = GraphEnv(first, tenant)
        with env.client(env.user_token("dora@akslocal.onmicrosoft.com", "D0ra-Passw0rd")) as c:
            assert len(c.post("/me/getMemberGroups", json={"securityEnabledOnly": True}).json()["value"]) == 250
    finally:
        first.stop()
    ca = (data / "tls" / "ca.pem").read_text()
    second = LiveServer.start(data, "--import", str(fixture))
    try:
        assert second.banner_value("Tenant:") == tenant
        assert (data / "tls" / "ca.pem").read_text() == ca
        assert any("0 group(s)" in line for line in second.banner)  # idempotent
        env = GraphEnv(second, tenant)
        with env.admin() as c:
            assert c.get("/me").json()["userPrincipalName"] == "admin@akslocal.onmicrosoft.com"
            dora = c.get("/users/dora@akslocal.onmicrosoft.com").json()
            assert len(c.get(f"/users/{dora['id']}/memberOf", params={"$top": "999"}).json()["value"]) == 250
    finally:
        second.stop()
