"""get-token against a scripted token service: wire formats, the cache's reuse/refresh/prompt order, errors."""

from __future__ import annotations

import json
import stat
import subprocess

import pytest

from tests.kubelogin.conftest import CLIENT_ID, SERVER_ID, Plugin, claims, credential
from tests.kubelogin.fake_sts import MESSAGE

LEGACY_CACHE = f"AzurePublicCloud-{SERVER_ID}-{CLIENT_ID}-72f988bf-86f1-41af-91ab-2d7cd011db47_legacy.json"


def test_legacy_device_code_speaks_v1_and_prints_the_message_verbatim(plugin: Plugin) -> None:
    done = plugin.run("--legacy")
    assert done.returncode == 0, done.stderr
    start = plugin.sts.paths("/oauth2/devicecode")
    assert len(start) == 1
    assert start[0].query == {"api-version": "1.0"}
    assert start[0].form == {"client_id": CLIENT_ID, "resource": SERVER_ID}
    polls = plugin.sts.paths("/oauth2/token")
    assert [p.form["grant_type"] for p in polls] == ["device_code", "device_code"]
    assert all(p.query == {"api-version": "1.0"} and p.form["code"] == "dc-CODE1" and p.form["resource"] == SERVER_ID
               for p in polls)
    assert done.stderr == MESSAGE.format(url=plugin.sts.url, code="CODE1") + "\n"
    cred = credential(done.stdout)
    assert cred["kind"] == "ExecCredential" and cred["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert claims(cred["status"]["token"])["aud"] == f"spn:{SERVER_ID}"
    assert cred["status"]["expirationTimestamp"].endswith("Z")


def test_v2_device_code_through_msal_asks_for_the_default_scope(plugin: Plugin) -> None:
    done = plugin.run()
    assert done.returncode == 0, done.stderr
    start = plugin.sts.paths("/oauth2/v2.0/devicecode")
    assert len(start) == 1 and f"{SERVER_ID}/.default" in start[0].form["scope"].split()
    assert not plugin.sts.paths("/oauth2/devicecode")
    assert done.stderr.strip() == MESSAGE.format(url=plugin.sts.url, code="CODE1")  # after the metadata GET
    assert claims(credential(done.stdout)["status"]["token"])["aud"] == SERVER_ID


def test_cached_token_is_reused_without_any_request(plugin: Plugin) -> None:
    assert plugin.run("--legacy").returncode == 0
    sent = len(plugin.sts.requests)
    first = (plugin.cache_dir / LEGACY_CACHE).read_text()
    again = plugin.run("--legacy")
    assert again.returncode == 0 and again.stderr == ""
    assert len(plugin.sts.requests) == sent
    assert json.loads(first)["access_token"] == credential(again.stdout)["status"]["token"]


def test_cache_file_is_private_and_in_kubelogins_format(plugin: Plugin) -> None:
    assert plugin.run("--legacy").returncode == 0
    path = plugin.cache_dir / LEGACY_CACHE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert set(doc) == {"access_token", "refresh_token", "expires_in", "expires_on", "not_before", "resource",
                        "token_type"}
    assert all(isinstance(v, str) for v in doc.values()) and doc["resource"] == SERVER_ID
    assert not list(plugin.cache_dir.glob("*.tmp"))


def test_expiry_on_the_emulator_clock_uses_the_refresh_token_silently(plugin: Plugin) -> None:
    assert plugin.run("--legacy").returncode == 0
    plugin.advance_clock(3600 - 30)  # 30 s left: under the 60 s margin
    refreshed = plugin.run("--legacy")
    assert refreshed.returncode == 0 and refreshed.stderr == ""
    last = plugin.sts.requests[-1]
    assert last.form["grant_type"] == "refresh_token" and last.form["refresh_token"] == "rt-1"
    assert last.form["resource"] == SERVER_ID and last.query == {"api-version": "1.0"}
    assert claims(credential(refreshed.stdout)["status"]["token"])["n"] == 2
    assert json.loads((plugin.cache_dir / LEGACY_CACHE).read_text())["refresh_token"] == "rt-2"


def test_v2_refresh_goes_through_msal(plugin: Plugin) -> None:
    assert plugin.run().returncode == 0
    plugin.advance_clock(7200)
    refreshed = plugin.run()
    assert refreshed.returncode == 0 and refreshed.stderr == ""
    last = plugin.sts.requests[-1]
    assert last.path.endswith("/oauth2/v2.0/token") and last.form["grant_type"] == "refresh_token"
    assert f"{SERVER_ID}/.default" in last.form["scope"].split()


def test_a_refused_refresh_token_brings_the_prompt_back(plugin: Plugin) -> None:
    assert plugin.run("--legacy").returncode == 0
    plugin.advance_clock(7200)
    plugin.sts.refresh_ok = False
    again = plugin.run("--legacy")
    assert again.returncode == 0, again.stderr
    assert "enter the code" in again.stderr
    grants = [r.form.get("grant_type") for r in plugin.sts.requests if r.path.endswith("/token")]
    assert grants[-3:] == ["refresh_token", "device_code", "device_code"]


def test_token_with_more_than_a_minute_left_is_reused(plugin: Plugin) -> None:
    assert plugin.run("--legacy").returncode == 0
    plugin.advance_clock(3600 - 120)
    sent = len(plugin.sts.requests)
    assert plugin.run("--legacy").returncode == 0
    assert len(plugin.sts.requests) == sent


def test_corrupted_cache_file_is_treated_as_empty(plugin: Plugin) -> None:
    plugin.cache_dir.mkdir(parents=True)
    (plugin.cache_dir / LEGACY_CACHE).write_text('{"access_token": "eyJ')
    done = plugin.run("--legacy")
    assert done.returncode == 0 and "enter the code" in done.stderr


@pytest.mark.parametrize("version", ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
def test_exec_credential_version_follows_kubernetes_exec_info(plugin: Plugin, version: str) -> None:
    info = json.dumps({"kind": "ExecCredential", "apiVersion": version, "spec": {"interactive": False}})
    done = plugin.run("--legacy", env=plugin.env(KUBERNETES_EXEC_INFO=info))
    assert done.returncode == 0, done.stderr
    assert credential(done.stdout)["apiVersion"] == version


def test_unsupported_exec_info_version_is_refused(plugin: Plugin) -> None:
    info = json.dumps({"apiVersion": "client.authentication.k8s.io/v1alpha1"})
    done = plugin.run("--legacy", env=plugin.env(KUBERNETES_EXEC_INFO=info))
    assert done.returncode == 1 and done.stdout == ""
    assert "api version: client.authentication.k8s.io/v1alpha1 is not supported" in done.stderr
    assert not plugin.sts.requests


@pytest.mark.parametrize("legacy", [["--legacy"], []], ids=["v1", "v2"])
def test_spn_uses_the_client_secret_and_is_not_cached(plugin: Plugin, legacy: list[str]) -> None:
    done = plugin.run(*legacy, "--client-secret", "s3cret", login="spn")
    assert done.returncode == 0, done.stderr
    sent = plugin.sts.requests[-1]
    assert sent.form["grant_type"] == "client_credentials" and sent.form["client_id"] == CLIENT_ID
    assert done.stderr == ""
    assert not plugin.cache_dir.exists() or not list(plugin.cache_dir.glob("*.json"))
    assert plugin.run(*legacy, "--client-secret", "s3cret", login="spn").returncode == 0
    assert len([r for r in plugin.sts.requests if r.form.get("grant_type") == "client_credentials"]) == 2


def test_spn_secret_from_environment_wins_over_the_flag(plugin: Plugin) -> None:
    env = plugin.env(AAD_SERVICE_PRINCIPAL_CLIENT_SECRET="wrong", AZURE_CLIENT_SECRET="s3cret")
    done = plugin.run("--legacy", "--client-secret", "flag-value", login="spn", env=env)
    assert done.returncode == 0, done.stderr
    assert plugin.sts.requests[-1].form["client_secret"] == "s3cret"
    blocked = plugin.run("--legacy", "--client-secret", "flag-value", "--disable-environment-override", login="spn",
                         env=env)
    assert blocked.returncode == 1 and "AADSTS7000215" in blocked.stderr


def test_spn_wrong_secret_is_reported(plugin: Plugin) -> None:
    done = plugin.run("--legacy", "--client-secret", "nope", login="spn")
    assert done.returncode == 1 and done.stdout == ""
    assert "invalid_client: AADSTS7000215: Invalid client secret provided." in done.stderr
    assert "Trace ID" not in done.stderr


@pytest.mark.parametrize("legacy", [["--legacy"], []], ids=["v1", "v2"])
def test_ropc_signs_in_with_username_and_password_and_is_cached(plugin: Plugin, legacy: list[str]) -> None:
    env = plugin.env(AAD_USER_PRINCIPAL_NAME="alice@contoso.com", AAD_USER_PRINCIPAL_PASSWORD="pw")
    done = plugin.run(*legacy, login="ropc", env=env)
    assert done.returncode == 0, done.stderr
    sent = [r for r in plugin.sts.requests if r.form.get("grant_type") == "password"]
    assert len(sent) == 1 and sent[0].form["username"] == "alice@contoso.com"
    sent_before = len(plugin.sts.requests)
    assert plugin.run(*legacy, login="ropc", env=env).returncode == 0
    assert len(plugin.sts.requests) == sent_before


@pytest.mark.parametrize(("outcome", "text"), [
    ("expired_token", "the device code expired before the sign-in was completed"),
    ("authorization_declined", "the sign-in was declined (authorization_declined)"),
    ("consent", "consent is missing: AADSTS65001"),
])
@pytest.mark.parametrize("legacy", [["--legacy"], []], ids=["v1", "v2"])
def test_device_code_failures_say_what_to_do(plugin: Plugin, outcome: str, text: str, legacy: list[str]) -> None:
    plugin.sts.device_outcome = outcome
    done = plugin.run(*legacy)
    assert done.returncode == 1 and done.stdout == ""
    assert text in done.stderr
    if outcome == "consent":
        assert f"az ad app permission admin-consent --id {CLIENT_ID}" in done.stderr
    assert not plugin.cache_dir.exists() or not list(plugin.cache_dir.glob("*.json"))


@pytest.mark.parametrize("legacy", [["--legacy"], []], ids=["v1", "v2"])
def test_unreachable_token_service(plugin: Plugin, legacy: list[str]) -> None:
    args = plugin.args(*legacy)
    args[args.index("--authority-host") + 1] = "https://127.0.0.1:9/"
    done = subprocess.run(args, capture_output=True, text=True, env=plugin.env(), timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert "cannot reach the token service at https://127.0.0.1:9/" in done.stderr
    assert "Traceback" not in done.stderr


def test_untrusted_certificate_is_reported_not_a_traceback(plugin: Plugin) -> None:
    env = plugin.env()
    env.pop("AKSLOCAL_CA_BUNDLE")
    done = plugin.run("--legacy", env=env)
    assert done.returncode == 1 and "cannot reach the token service" in done.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in done.stderr and "Traceback" not in done.stderr


def test_requests_ca_bundle_is_the_fallback_trust(plugin: Plugin) -> None:
    env = plugin.env(REQUESTS_CA_BUNDLE=str(plugin.sts.ca_path))
    env.pop("AKSLOCAL_CA_BUNDLE")
    assert plugin.run("--legacy", env=env).returncode == 0


def test_remove_cache_dir(plugin: Plugin) -> None:
    assert plugin.run("--legacy").returncode == 0
    from tests.kubelogin.conftest import PLUGIN

    done = subprocess.run([PLUGIN, "remove-cache-dir", "--cache-dir", str(plugin.cache_dir)], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0 and not plugin.cache_dir.exists()
    assert "enter the code" in plugin.run("--legacy").stderr
