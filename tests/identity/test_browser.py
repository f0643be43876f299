"""The device-code sign-in completed in a real Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import msal
import pytest

from tests.identity.live import requests_trusts, seeded_server, verify
from tests.identity.seed import API_URI, PASSWORD
from tests.support.browser import launch, needs_chromium

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with seeded_server(tmp_path_factory.mktemp("idbrowser") / "data") as (server, s), requests_trusts(server):
        yield server, s


def test_device_flow_signed_in_with_chromium(env):
    from playwright.sync_api import sync_playwright

    server, s = env
    app = msal.PublicClientApplication(s.client_app_id, authority=f"{server.url}/organizations",
                                       instance_discovery=False)
    flow = app.initiate_device_flow([f"{API_URI}/.default"])
    with sync_playwright() as p:
        browser = launch(p)
        try:
            # the edge CA is not in Chromium's store; trust is what the other tests check
            context = browser.new_context(ignore_https_errors=True)
            page = context.new_page()
            page.goto(flow["verification_uri"])
            assert page.locator("h1").inner_text() == "Enter code"
            page.fill("#otc", flow["user_code"].lower())
            page.click("#next")
            page.fill("#login", f"alice@{s.domain}")
            page.fill("#passwd", PASSWORD)
            page.click("#idSIButton9")
            page.wait_for_selector("#message")
            text = page.locator("#message").inner_text()
        finally:
            browser.close()
    assert text == ("You have signed in to the test-client application on your device. "
                    "You may now close this window.")
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    claims = verify(server, result["access_token"], API_URI)
    assert claims["upn"] == f"alice@{s.domain}" and result["id_token_claims"]["oid"] == s.alice_id
