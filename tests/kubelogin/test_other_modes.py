"""interactive (MSAL's loopback redirect, driven by a scripted "browser"), azurecli (a scripted az) and
workloadidentity, against the fake token service."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from tests.kubelogin.conftest import SERVER_ID, Plugin, claims, credential

BROWSER = """#!{python}
import os, ssl, sys, urllib.error, urllib.parse, urllib.request
if os.fork():  # webbrowser waits for a BROWSER command to exit: act in the background, like a real one
    sys.exit(0)
# A user who is already signed in: the authorize URL answers with a redirect carrying the code,
# which the browser hands to the plugin's loopback listener as a form post (response_mode=form_post).
class Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
context = ssl.create_default_context(cafile={ca!r})
opener = urllib.request.build_opener(Stop, urllib.request.HTTPSHandler(context=context))
try:
    opener.open(sys.argv[1], timeout=30)
    raise SystemExit("no redirect")
except urllib.error.HTTPError as err:
    location = err.headers["Location"]
target, _, query = location.partition("?")
form = urllib.parse.urlencode(dict(urllib.parse.parse_qsl(query))).encode()
urllib.request.urlopen(urllib.request.Request(target, data=form), timeout=30).read()
"""

AZ = """#!/bin/sh
echo "$@" > {log}
echo '{{"accessToken": "eyJ.az.token", "expiresOn": "2030-01-01 00:00:00.000000", "expires_on": 1893456000,
       "tokenType": "Bearer"}}'
"""


def script(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_interactive_uses_the_authorization_code_with_pkce(plugin: Plugin, tmp_path: Path) -> None:
    browser = script(tmp_path / "browser", BROWSER.format(python=sys.executable, ca=str(plugin.sts.ca_path)))
    done = plugin.run(login="interactive", env=plugin.env(BROWSER=str(browser)))
    assert done.returncode == 0, done.stderr
    [authorize] = plugin.sts.paths("/oauth2/v2.0/authorize")
    assert authorize.query["code_challenge_method"] == "S256"
    assert authorize.query["redirect_uri"].startswith("http://localhost:")
    [redeem] = [r for r in plugin.sts.requests if r.form.get("grant_type") == "authorization_code"]
    assert redeem.form["code"] == "authcode-1" and redeem.form["code_verifier"]
    assert claims(credential(done.stdout)["status"]["token"])["aud"] == SERVER_ID
    assert list(plugin.cache_dir.glob("*.json"))  # cached like devicecode


def test_interactive_passes_the_login_hint_and_redirect_port(plugin: Plugin, tmp_path: Path) -> None:
    from tests.support.live import free_port

    bad = plugin.run("--redirect-url", "https://evil.example/", login="interactive")
    assert bad.returncode == 1 and "must be http://localhost:<port>" in bad.stderr
    port = free_port()
    browser = script(tmp_path / "browser", BROWSER.format(python=sys.executable, ca=str(plugin.sts.ca_path)))
    done = plugin.run("--login-hint", "alice@contoso.com", "--redirect-url", f"http://localhost:{port}",
                      login="interactive", env=plugin.env(BROWSER=str(browser)))
    assert done.returncode == 0, done.stderr
    [authorize] = plugin.sts.paths("/oauth2/v2.0/authorize")
    assert authorize.query["login_hint"] == "alice@contoso.com"
    assert authorize.query["redirect_uri"] == f"http://localhost:{port}"


def test_interactive_refuses_legacy(plugin: Plugin) -> None:
    done = plugin.run("--legacy", login="interactive")
    assert done.returncode == 1 and "--login interactive does not support --legacy" in done.stderr


def test_azurecli_asks_az_for_the_server_resource(plugin: Plugin, tmp_path: Path) -> None:
    log = tmp_path / "az-args"
    az = script(tmp_path / "az", AZ.format(log=log))
    done = plugin.run(login="azurecli", env=plugin.env(AKSLOCAL_AZ_COMMAND=str(az)))
    assert done.returncode == 0, done.stderr
    cred = credential(done.stdout)
    assert cred["status"]["token"] == "eyJ.az.token"
    assert cred["status"]["expirationTimestamp"] == "2030-01-01T00:00:00Z"
    assert log.read_text().split() == ["account", "get-access-token", "--resource", SERVER_ID, "--output", "json",
                                       "--tenant", "72f988bf-86f1-41af-91ab-2d7cd011db47"]
    assert not plugin.sts.requests and not plugin.cache_dir.exists()


def test_azurecli_missing_is_a_clear_error(plugin: Plugin, tmp_path: Path) -> None:
    done = plugin.run(login="azurecli", env=plugin.env(AKSLOCAL_AZ_COMMAND=str(tmp_path / "no-az")))
    assert done.returncode == 1 and "--login azurecli needs the Azure CLI" in done.stderr


def test_workload_identity_sends_the_federated_token_as_client_assertion(plugin: Plugin, tmp_path: Path) -> None:
    token_file = tmp_path / "sa-token"
    token_file.write_text("eyJ.federated.token\n")
    env = plugin.env(AZURE_FEDERATED_TOKEN_FILE=str(token_file), AZURE_CLIENT_ID="wi-app")
    done = plugin.run(login="workloadidentity", env=env)
    assert done.returncode == 1  # the fake only accepts a secret: but the request must be the right one
    [sent] = [r for r in plugin.sts.requests if r.form.get("grant_type") == "client_credentials"]
    assert sent.form["client_assertion"] == "eyJ.federated.token"
    assert sent.form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert sent.form["client_id"] == "wi-app" and f"{SERVER_ID}/.default" in sent.form["scope"].split()
