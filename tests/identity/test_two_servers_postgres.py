"""Two server processes on one PostgreSQL database behave as one token service."""

from __future__ import annotations

import pytest

from akslocal.identity.devicelogin import complete
from tests.identity.live import http, verify
from tests.identity.seed import API_URI, PASSWORD, seed
from tests.support.live import LiveServer, free_port
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.slow


def test_keys_device_codes_and_refresh_tokens_are_shared(tmp_path):
    with fresh_database() as url:
        port_a, port_b = free_port(), free_port()
        s = seed(tmp_path / "a", port_a, database_url=url)
        a = LiveServer.start(tmp_path / "a", "--database-url", url, port=port_a)
        try:
            b = LiveServer.start(tmp_path / "b", "--database-url", url, port=port_b)
            try:
                with http(a) as ca, http(b) as cb:
                    assert ca.get("/common/discovery/keys").json() == cb.get("/common/discovery/keys").json()
                    dc = ca.post(f"/{s.tenant_id}/oauth2/v2.0/devicecode",
                                 data={"client_id": s.client_app_id,
                                       "scope": f"{API_URI}/.default offline_access"}).json()
                    complete(b.url, dc["user_code"], f"alice@{s.domain}", PASSWORD, verify=str(b.ca_path))
                    token = ca.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                        "client_id": s.client_app_id, "device_code": dc["device_code"]})
                    assert token.status_code == 200, token.text
                    verify(b, token.json()["access_token"], API_URI)
                    refreshed = cb.post(f"/{s.tenant_id}/oauth2/token", data={
                        "grant_type": "refresh_token", "client_id": s.client_app_id,
                        "refresh_token": token.json()["refresh_token"], "resource": API_URI})
                    assert refreshed.status_code == 200, refreshed.text
                    reuse = ca.post(f"/{s.tenant_id}/oauth2/token", data={
                        "grant_type": "refresh_token", "client_id": s.client_app_id,
                        "refresh_token": token.json()["refresh_token"], "resource": API_URI})
                    assert reuse.json()["error_codes"] == [50173]
                    fresh = ca.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                        "grant_type": "password", "client_id": s.client_app_id, "username": f"alice@{s.domain}",
                        "password": PASSWORD, "scope": f"{API_URI}/.default offline_access"}).json()["refresh_token"]
                assert sorted(_race(a, b, s, fresh)) == [200] + [400] * 7
            finally:
                b.stop()
        finally:
            a.stop()


def _race(a, b, s, rt: str) -> list[int]:
    """Eight concurrent redemptions of one refresh token, split over both servers."""
    from concurrent.futures import ThreadPoolExecutor

    def redeem(i: int) -> int:
        with http(a if i % 2 else b) as c:
            return c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": "refresh_token", "client_id": s.client_app_id, "refresh_token": rt,
                "scope": f"{API_URI}/.default"}).status_code

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(redeem, range(8)))
