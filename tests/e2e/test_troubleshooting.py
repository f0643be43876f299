"""The seed's claims and troubleshooting list, each made real against a fresh `akslocal start`.

One server per module; the main cluster is built once by the seed's own commands
(:mod:`tests.support.cluster_flow`). Tests that break a cluster (the server secret reset,
the skipped admin consent) build their own cluster, from the same commands, in the same
server. Every user has a HOME of their own, so each has their own kubelogin token cache.

- "The authentication token received for kubectl is cached. You are only reprompted to sign
  in when the token has expired …"
- "If the user … is in the same Microsoft Entra tenant, assign permissions based on the
  userPrincipalName. If the user is in a different Microsoft Entra tenant, … use the objectId."
- "The user is not a member of more than 200 groups." (akslocal resolves the overage, as AKS's
  webhook does, through Microsoft Graph.)
- "Secret defined in the application registration for server matches the value configured
  using --aad-server-app-secret"
- "… add permissions … that may otherwise require administrative consent using the az ad app
  permission admin-consent"
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from akslocal.clock import read_clock_offset
from tests.support.browser import launch, needs_chromium
from tests.support.cluster_flow import BIN, UNAUTHORIZED, SeedCluster, serve_with_fixture, set_up_cluster
from tests.support.live import LiveServer

pytestmark = pytest.mark.slow

DOMAIN = "akslocal.onmicrosoft.com"
ALICE, ALICE_PASSWORD = f"alice@{DOMAIN}", "Al1ce-Passw0rd!"
DAVE, DAVE_PASSWORD = f"dave@{DOMAIN}", "Dav3-Passw0rd!"  # in 250 groups: team-1 … team-250
CAROL, CAROL_PASSWORD = "carol@fabrikam.onmicrosoft.com", "Car0l-Passw0rd!"
CAROL_GUEST_UPN = f"carol_fabrikam.onmicrosoft.com#EXT#@{DOMAIN}"
FIXTURE = f"""\
tenants:
  - domain: default
    users:
      - upn: {ALICE}
        displayName: Alice
        password: {ALICE_PASSWORD}
      - upn: {DAVE}
        displayName: Dave
        password: {DAVE_PASSWORD}
        groups:
          - {{prefix: team-, count: 250}}
    guests:
      - email: {CAROL}
        displayName: Carol (guest)
  - domain: fabrikam.onmicrosoft.com
    displayName: Fabrikam
    users:
      - upn: {CAROL}
        displayName: Carol
        password: {CAROL_PASSWORD}
"""
# The document's sample output: NAMESPACE NAME READY STATUS RESTARTS AGE, then kube-system pods.
HEADER = re.compile(r"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$", re.M)
POD_ROW = re.compile(r"^kube-system\s+coredns-[a-z0-9]+-[a-z0-9]{5}\s+1/1\s+Running\s+0\s+\S+$", re.M)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve_with_fixture(tmp_path_factory, "troubleshooting", FIXTURE)


@pytest.fixture(scope="module")
def cluster(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> SeedCluster:
    return set_up_cluster(server, tmp_path_factory.mktemp("admin"))


def assert_pod_table(stdout: str) -> None:
    assert HEADER.search(stdout), stdout
    assert POD_ROW.search(stdout), stdout


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1] if text.strip() else ""


def cached_token_expiry(cache: Path) -> tuple[str, int]:
    """(access token, its exp claim) of the one token file in kubelogin's cache dir (adal's Token JSON)."""
    files = sorted(cache.glob("*.json"))
    assert len(files) == 1, f"expected one cached token in {cache}: {files}"
    token = json.loads(files[0].read_text())["access_token"]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return token, int(claims["exp"])


def test_token_is_cached_refreshed_after_expiry_and_kept_across_new_kubeconfig(cluster: SeedCluster,
                                                                              tmp_path: Path) -> None:
    cluster.bind_cluster_admin("alice-by-upn-cache", "User", ALICE)
    alice = cluster.user(tmp_path / "alice")
    first = alice.kubectl_signing_in(ALICE, ALICE_PASSWORD, "get", "pods", "--all-namespaces")
    assert first.result.returncode == 0, first.stderr
    assert len(first.prompts) == 1 and first.prompts[0][0] == f"{cluster.server.url}/devicelogin"
    assert_pod_table(first.stdout)
    token, expiry = cached_token_expiry(alice.token_cache)

    # The next command does not prompt (kubectl() without an answer fails on a prompt).
    again = alice.kubectl("get", "pods", "--all-namespaces")
    assert again.result.returncode == 0 and not again.prompts, again.stderr
    assert_pod_table(again.stdout)

    # Past the token's expiry on the emulator clock: refreshed silently (refresh token), not re-prompted.
    now = time.time() + read_clock_offset(cluster.server.data_dir)
    cluster.server.advance_clock(expiry - now + 300)
    refreshed = alice.kubectl("get", "pods", "--all-namespaces")
    assert refreshed.result.returncode == 0 and not refreshed.prompts, refreshed.stderr
    assert_pod_table(refreshed.stdout)
    new_token, new_expiry = cached_token_expiry(alice.token_cache)
    assert new_token != token and new_expiry > expiry

    # Re-creating the kubeconfig (get-credentials --overwrite-existing) keeps the cache: still no prompt.
    alice.kubeconfig.unlink()
    created = alice.get_credentials()
    assert 'Merged "' in created.stderr and "as current context" in created.stderr, created.stderr
    after = alice.kubectl("get", "pods", "--all-namespaces")
    assert after.result.returncode == 0 and not after.prompts, after.stderr
    assert_pod_table(after.stdout)
    alice.get_credentials()
    overwritten = alice.kubectl("get", "pods", "--all-namespaces")
    assert overwritten.result.returncode == 0 and not overwritten.prompts, overwritten.stderr


def test_member_by_upn_guest_only_by_object_id(cluster: SeedCluster, tmp_path: Path) -> None:
    # A member of the cluster's tenant: bound by userPrincipalName.
    cluster.bind_cluster_admin("alice-by-upn", "User", ALICE)
    alice = cluster.user(tmp_path / "alice")
    member = alice.kubectl_signing_in(ALICE, ALICE_PASSWORD, "get", "pods", "--all-namespaces")
    assert member.result.returncode == 0, member.stderr
    assert_pod_table(member.stdout)
    whoami = alice.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
    assert whoami.stdout == ALICE, whoami.stderr

    # A guest from another tenant: bindings by UPN (the guest's #EXT# UPN here, or its home UPN) do not match.
    guest_id = cluster.object_id("user", CAROL_GUEST_UPN)
    cluster.bind_cluster_admin("carol-by-guest-upn", "User", CAROL_GUEST_UPN)
    cluster.bind_cluster_admin("carol-by-home-upn", "User", CAROL)
    carol = cluster.user(tmp_path / "carol")
    refused = carol.kubectl_signing_in(CAROL, CAROL_PASSWORD, "get", "pods", "--all-namespaces")
    assert refused.result.returncode == 1 and len(refused.prompts) == 1
    assert last_line(refused.stderr) == (f'Error from server (Forbidden): pods is forbidden: User "{guest_id}" cannot '
                                         'list resource "pods" in API group "" at the cluster scope'), refused.stderr

    # Only the binding by object id works (same cached token: no new prompt).
    cluster.bind_cluster_admin("carol-by-object-id", "User", guest_id)
    allowed = carol.kubectl("get", "pods", "--all-namespaces")
    assert allowed.result.returncode == 0 and not allowed.prompts, allowed.stderr
    assert_pod_table(allowed.stdout)


def test_user_in_250_groups_gets_in_through_one_of_them(cluster: SeedCluster, tmp_path: Path) -> None:
    dave = cluster.user(tmp_path / "dave")
    before = dave.kubectl_signing_in(DAVE, DAVE_PASSWORD, "get", "pods", "--all-namespaces")
    # Authenticated (the overage resolved), but nothing binds him yet.
    assert last_line(before.stderr) == (f'Error from server (Forbidden): pods is forbidden: User "{DAVE}" cannot list '
                                        'resource "pods" in API group "" at the cluster scope'), before.stderr
    team = cluster.object_id("group", "team-187")
    cluster.bind_cluster_admin("team-187-admins", "Group", team)
    allowed = dave.kubectl("get", "pods", "--all-namespaces")
    assert allowed.result.returncode == 0 and not allowed.prompts, allowed.stderr
    assert_pod_table(allowed.stdout)
    groups = dave.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}")
    assert team in json.loads(groups.stdout) and "system:authenticated" in json.loads(groups.stdout)
    assert len(json.loads(groups.stdout)) == 251, groups.stdout


def test_server_secret_that_no_longer_matches_gives_unauthorized(server: LiveServer, tmp_path: Path) -> None:
    cluster = set_up_cluster(server, tmp_path / "admin", "secretcluster")
    team = cluster.object_id("group", "team-3")
    dave = cluster.document_reader(tmp_path / "dave", ("team-3-admins", "Group", team))
    works = dave.kubectl_signing_in(DAVE, DAVE_PASSWORD, "get", "pods", "--all-namespaces")
    assert works.result.returncode == 0, works.stderr
    assert_pod_table(works.stdout)

    # The server app's secret is reset after the cluster was created with the old one.
    reset = cluster.azlocal("ad", "sp", "credential", "reset", "--name", cluster.server_app_id, "--query", "password",
                            "-o", "tsv")
    assert reset.stdout.strip() and reset.stdout.strip() != cluster.server_app_secret

    # Dave signs in again (his cached token deleted with the plugin's own command). His token carries a
    # group overage, so the webhook needs Graph, and the server app's old secret no longer gets it there.
    removed = subprocess.run([str(BIN / "akslocal-kubelogin"), "remove-tokens"], capture_output=True, text=True,
                             env=dave.env(), timeout=60)
    assert removed.returncode == 0 and not dave.token_cache.exists(), removed.stderr
    refused = dave.kubectl_signing_in(DAVE, DAVE_PASSWORD, "get", "pods", "--all-namespaces")
    assert refused.result.returncode == 1 and len(refused.prompts) == 1, refused.stderr
    assert last_line(refused.stderr) == UNAUTHORIZED, refused.stderr
    assert refused.stdout == ""
    why = explain(cluster, "--kubeconfig", str(dave.kubeconfig))
    verdict = next((line for line in why.stdout.splitlines() if line.startswith("  [FAIL] verdict")), "")
    assert "ClientCredentialTokenProvider: failed to get token: request failed with status code: 401" in verdict, \
        why.stdout + why.stderr
    assert (f"the server application {cluster.server_app_id}'s secret does not match the one the cluster was "
            "created with (--aad-server-app-secret)") in verdict, verdict


def explain(cluster: SeedCluster, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "akslocal"), "explain", *args], capture_output=True, text=True,
                          env=cluster.server.env(), timeout=120)


def test_skipped_admin_consent_fails_group_resolution_and_explain_says_why(server: LiveServer,
                                                                          tmp_path: Path) -> None:
    cluster = set_up_cluster(server, tmp_path / "admin", "noconsentcluster", admin_consent=False)
    assert "admin-consent" not in cluster.setup_output
    team = cluster.object_id("group", "team-42")
    dave = cluster.document_reader(tmp_path / "dave", ("team-42-admins", "Group", team))
    refused = dave.kubectl_signing_in(DAVE, DAVE_PASSWORD, "get", "pods", "--all-namespaces")
    assert refused.result.returncode == 1 and len(refused.prompts) == 1, refused.stderr
    assert last_line(refused.stderr) == UNAUTHORIZED, refused.stderr

    # `akslocal explain --kubeconfig` names the cause: Graph refused the server app (no admin consent).
    why = explain(cluster, "--kubeconfig", str(dave.kubeconfig))
    assert why.returncode == 1, why.stdout + why.stderr
    lines = {line.split()[1]: line for line in why.stdout.splitlines() if line.startswith("  [")}
    assert lines["signature"].startswith("  [ok]") and lines["audience"].startswith("  [ok]"), why.stdout
    assert "group overage" in lines["groups"], why.stdout
    verdict = lines["verdict"]
    assert verdict.startswith("  [FAIL] verdict     not authenticated: failed to get groups:"), why.stdout
    assert "getMemberGroups failed with status code: 403" in verdict and "Authorization_RequestDenied" in verdict
    assert (f"Graph refused the server application {cluster.server_app_id}: it needs the Microsoft Graph "
            "application permission Directory.Read.All with admin consent (az ad app permission admin-consent "
            f"--id {cluster.server_app_id})") in verdict, verdict
    assert verdict.endswith("kubectl prints 'error: You must be logged in to the server (Unauthorized)'"), verdict


@needs_chromium
def test_kubectl_device_code_completed_in_chromium(cluster: SeedCluster, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    cluster.bind_cluster_admin("alice-by-upn-browser", "User", ALICE)
    alice = cluster.user(tmp_path / "alice")
    messages: list[str] = []

    def type_the_code_in_chromium(page_url: str, code: str) -> None:
        with sync_playwright() as p:
            browser = launch(p)
            try:
                page = browser.new_context(ignore_https_errors=True).new_page()
                page.goto(page_url)
                assert page.locator("h1").inner_text() == "Enter code"
                page.fill("#otc", code)
                page.click("#next")
                page.fill("#login", ALICE)
                page.fill("#passwd", ALICE_PASSWORD)
                page.click("#idSIButton9")
                page.wait_for_selector("#message")
                messages.append(page.locator("#message").inner_text())
            finally:
                browser.close()

    run = alice.kubectl("get", "pods", "--all-namespaces", answer=type_the_code_in_chromium)
    assert run.result.returncode == 0, run.stderr
    assert len(run.prompts) == 1 and run.prompts[0][0] == f"{cluster.server.url}/devicelogin"
    assert messages == [f"You have signed in to the {cluster.aksname}Client application on your device. "
                        "You may now close this window."]
    assert_pod_table(run.stdout)
    assert run.stdout.splitlines()[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
