"""State lives in the store: keys, refresh tokens and device codes survive a restart."""

from __future__ import annotations

import pytest

from akslocal.identity.devicelogin import complete
from tests.identity.live import http, start_seeded, verify
from tests.identity.seed import API_URI, PASSWORD
from tests.support.live import LiveServer

pytestmark = pytest.mark.slow


def test_keys_refresh_tokens_and_device_codes_survive_a_restart(tmp_path):
    server, s = start_seeded(tmp_path / "data")
    try:
        with http(server) as c:
            first = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": "password", "client_id": s.client_app_id, "username": f"alice@{s.domain}",
                "password": PASSWORD, "scope": f"{API_URI}/.default offline_access"}).json()
            dc = c.post(f"/{s.tenant_id}/oauth2/v2.0/devicecode",
                        data={"client_id": s.client_app_id, "scope": f"{API_URI}/.default"}).json()
            kids = {k["kid"] for k in c.get("/common/discovery/keys").json()["keys"]}
    finally:
        server.stop()
    server = LiveServer.start(tmp_path / "data", port=server.port)
    try:
        with http(server) as c:
            assert {k["kid"] for k in c.get("/common/discovery/keys").json()["keys"]} == kids
            verify(server, first["access_token"], API_URI)
            refreshed = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": "refresh_token", "client_id": s.client_app_id, "refresh_token": first["refresh_token"],
                "scope": f"{API_URI}/.default"})
            assert refreshed.status_code == 200, refreshed.text
            complete(server.url, dc["user_code"], f"alice@{s.domain}", PASSWORD, verify=str(server.ca_path))
            token = c.post(f"/{s.tenant_id}/oauth2/v2.0/token", data={
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": s.client_app_id,
                "device_code": dc["device_code"]})
            assert token.status_code == 200, token.text
    finally:
        server.stop()
