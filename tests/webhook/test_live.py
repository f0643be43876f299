"""The webhook against a live akslocal: real tokens from our token service, real JWKS over HTTPS,
real Graph getMemberGroups with the server app's own secret.

The standalone ``akslocal webhook serve`` (as a real kube-apiserver would call it) is run for a
cluster made by the seed's commands; the same checks through kubectl are in tests/e2e.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from akslocal.server.control import control_key
from tests.support.cluster_flow import BIN, SeedCluster, serve_with_fixture, set_up_cluster
from tests.support.live import LiveServer, free_port

pytestmark = pytest.mark.slow

DOMAIN = "akslocal.onmicrosoft.com"
ALICE, ALICE_PASSWORD = f"alice@{DOMAIN}", "Al1ce-Passw0rd!"
DAVE, DAVE_PASSWORD = f"dave@{DOMAIN}", "Dav3-Passw0rd!"
CAROL, CAROL_PASSWORD = "carol@fabrikam.onmicrosoft.com", "Car0l-Passw0rd!"
FIXTURE = f"""\
tenants:
  - domain: default
    users:
      - upn: {ALICE}
        displayName: Alice
        password: {ALICE_PASSWORD}
        groups:
          - {{prefix: small-, count: 3}}
      - upn: {DAVE}
        displayName: Dave
        password: {DAVE_PASSWORD}
        groups:
          - {{prefix: team-, count: 250}}
    guests:
      - email: {CAROL}
        displayName: Carol (guest)
  - domain: fabrikam.onmicrosoft.com
    users:
      - upn: {CAROL}
        displayName: Carol
        password: {CAROL_PASSWORD}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve_with_fixture(tmp_path_factory, "webhook-live", FIXTURE)


@pytest.fixture(scope="module")
def cluster(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> SeedCluster:
    return set_up_cluster(server, tmp_path_factory.mktemp("admin"), "webhookcluster")


def user_token(cluster: SeedCluster, username: str, password: str, *, legacy: bool = True) -> str:
    """A v1 access token for the server app, as kubelogin --legacy gets it (ADAL, api-version=1.0)."""
    tenant = cluster.tenant_id
    with cluster.server.client() as client:
        r = client.post(f"/{tenant}/oauth2/token", params={"api-version": "1.0"} if legacy else None, data={
            "grant_type": "password", "client_id": cluster.client_app_id, "resource": cluster.server_app_id,
            "username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@dataclass
class Webhook:
    url: str
    client: httpx.Client
    process: subprocess.Popen
    log: Path

    def review(self, token: str, version: str = "authentication.k8s.io/v1") -> dict:
        r = self.client.post(f"{self.url}/tokenreviews", json={"apiVersion": version, "kind": "TokenReview",
                                                               "spec": {"token": token}})
        assert r.status_code == 200, r.text
        assert r.json()["apiVersion"] == version
        return r.json()["status"]

    def metric(self, name: str) -> float:
        total = 0.0
        for line in self.client.get(f"{self.url}/metrics").text.splitlines():
            if line.startswith(name):
                total += float(line.rsplit(" ", 1)[1])
        return total


def start_webhook(cluster: SeedCluster, tmp_path: Path, secret: str) -> Webhook:
    server = cluster.server
    port = free_port()
    state = tmp_path / "webhook-state"
    env = server.env()
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    kubeconfig = subprocess.run([sys.executable, "-m", "akslocal.server.main", "webhook", "kubeconfig",
                                 "--state-dir", str(state), "--port", str(port)],
                                capture_output=True, text=True, check=True, env=env)
    doc = yaml.safe_load(kubeconfig.stdout)
    user = doc["users"][0]["user"]
    for name, field in (("ca.pem", doc["clusters"][0]["cluster"]["certificate-authority-data"]),
                        ("client.pem", user["client-certificate-data"]), ("client-key.pem", user["client-key-data"])):
        (tmp_path / name).write_bytes(base64.b64decode(field))
    log = tmp_path / "webhook.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "akslocal.server.main", "webhook", "serve", "--tenant", cluster.tenant_id,
         "--server-app-id", cluster.server_app_id, "--client-secret", secret, "--client-app-id",
         cluster.client_app_id, "--port", str(port), "--state-dir", str(state), "--authority", server.url,
         "--ca-bundle", str(server.ca_path)], stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    context = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
    context.load_cert_chain(str(tmp_path / "client.pem"), str(tmp_path / "client-key.pem"))
    client = httpx.Client(verify=context, timeout=30)
    url = doc["clusters"][0]["cluster"]["server"].removesuffix("/tokenreviews")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            if client.get(f"{url}/healthz").status_code == 200:
                return Webhook(url, client, process, log)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the webhook did not start:\n" + log.read_text())


@pytest.fixture
def webhook(cluster: SeedCluster, tmp_path: Path) -> Iterator[Webhook]:
    hook = start_webhook(cluster, tmp_path, cluster.server_app_secret)
    try:
        yield hook
    finally:
        hook.client.close()
        hook.process.terminate()
        hook.process.wait(10)


def test_member_by_upn_guest_by_object_id(cluster: SeedCluster, webhook: Webhook) -> None:
    alice = webhook.review(user_token(cluster, ALICE, ALICE_PASSWORD))
    assert alice["authenticated"] is True and alice["user"]["username"] == ALICE
    assert len(alice["user"]["groups"]) == 3 and alice["user"]["extra"]["oid"] == [alice["user"]["uid"]]
    guest_id = cluster.object_id("user", f"carol_fabrikam.onmicrosoft.com#EXT#@{DOMAIN}")
    carol = webhook.review(user_token(cluster, CAROL, CAROL_PASSWORD), "authentication.k8s.io/v1beta1")
    assert carol["authenticated"] is True and carol["user"]["username"] == guest_id


def test_250_groups_through_overage_and_the_cache(cluster: SeedCluster, webhook: Webhook) -> None:
    token = user_token(cluster, DAVE, DAVE_PASSWORD)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert "groups" not in claims and claims["_claim_names"] == {"groups": "src1"}
    dave = webhook.review(token)
    assert dave["authenticated"] is True and len(dave["user"]["groups"]) == 250
    assert cluster.object_id("group", "team-187") in dave["user"]["groups"]
    graph_calls = webhook.metric("akslocal_webhook_graph_calls_total")
    hits = webhook.metric("akslocal_webhook_cache_hits_total")
    assert graph_calls == 2  # the app token and getMemberGroups
    assert webhook.review(token) == dave
    assert webhook.metric("akslocal_webhook_graph_calls_total") == graph_calls  # no Graph call the second time
    assert webhook.metric("akslocal_webhook_cache_hits_total") == hits + 1


def test_expired_token_is_refused_and_not_served_from_cache(cluster: SeedCluster, webhook: Webhook) -> None:
    token = user_token(cluster, ALICE, ALICE_PASSWORD)
    assert webhook.review(token)["authenticated"] is True
    control_key(cluster.server.data_dir)  # created on first use; LiveServer.advance_clock reads the file
    cluster.server.advance_clock(3 * 3600)  # the standalone webhook follows the emulator's clock (data dir)
    expired = webhook.review(token)
    assert expired["authenticated"] is False and "oidc: token is expired (Token Expiry: " in expired["error"]


def test_token_for_another_audience_refused(cluster: SeedCluster, webhook: Webhook) -> None:
    with cluster.server.client() as client:
        r = client.post(f"/{cluster.tenant_id}/oauth2/token", data={
            "grant_type": "password", "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
            "resource": "https://management.core.windows.net/", "username": ALICE, "password": ALICE_PASSWORD})
    assert r.status_code == 200, r.text
    status = webhook.review(r.json()["access_token"])
    assert status["authenticated"] is False
    assert status["error"].startswith(f'failed to verify token for azure: oidc: expected audience '
                                      f'"spn:{cluster.server_app_id}"')


def test_wrong_server_secret(cluster: SeedCluster, tmp_path: Path) -> None:
    hook = start_webhook(cluster, tmp_path, "not-the-secret")
    try:
        # No overage: the token's groups claim is enough, the secret is never needed.
        assert hook.review(user_token(cluster, ALICE, ALICE_PASSWORD))["authenticated"] is True
        dave = hook.review(user_token(cluster, DAVE, DAVE_PASSWORD))
        assert dave["authenticated"] is False
        assert dave["error"].startswith("failed to get groups: ClientCredentialTokenProvider: failed to get token: "
                                        "request failed with status code: 401")
    finally:
        hook.client.close()
        hook.process.terminate()
        hook.process.wait(10)
    assert '"reason": "graph_token"' in hook.log.read_text()


def test_missing_admin_consent(server: LiveServer, tmp_path: Path) -> None:
    cluster = set_up_cluster(server, tmp_path / "admin", "noconsent", admin_consent=False)
    hook = start_webhook(cluster, tmp_path, cluster.server_app_secret)
    try:
        dave = hook.review(user_token(cluster, DAVE, DAVE_PASSWORD))
    finally:
        hook.client.close()
        hook.process.terminate()
        hook.process.wait(10)
    assert dave["authenticated"] is False
    assert "getMemberGroups failed with status code: 403" in dave["error"]
    assert "Authorization_RequestDenied" in dave["error"]
    log = hook.log.read_text()
    assert '"reason": "graph_denied"' in log and "Directory.Read.All" in log

    # akslocal explain TOKEN --cluster: the same cause, check by check, from the cluster's own settings.
    cluster_id = cluster.tsv("aks", "show", "-g", cluster.resource_group, "-n", cluster.aksname, "--query", "id")
    creds = cluster.azlocal("aks", "get-credentials", "-g", cluster.resource_group, "-n", cluster.aksname,
                            "--file", "-").stdout
    server_url = yaml.safe_load(creds)["clusters"][0]["cluster"]["server"]
    assert cluster_id
    why = subprocess.run([str(BIN / "akslocal"), "explain", user_token(cluster, DAVE, DAVE_PASSWORD),
                          "--cluster", server_url], capture_output=True, text=True, env=server.env(), timeout=60)
    assert why.returncode == 1, why.stderr
    assert "[ok]   issuer" in why.stdout and "[ok]   audience" in why.stdout
    assert "group overage" in why.stdout and "Directory.Read.All" in why.stdout
    assert "[FAIL] verdict     not authenticated" in why.stdout and "(Unauthorized)" in why.stdout
    # The in-process webhook (explain ran the cluster's own review) logged why, at akslocal's default level.
    assert '"reason": "graph_denied"' in server.log() and "admin-consent" in server.log()


def test_explain_an_accepted_token_lists_the_bindings_and_edge_metrics(cluster: SeedCluster) -> None:
    creds = cluster.azlocal("aks", "get-credentials", "-g", cluster.resource_group, "-n", cluster.aksname,
                            "--file", "-").stdout
    server_url = yaml.safe_load(creds)["clusters"][0]["cluster"]["server"]
    token = user_token(cluster, ALICE, ALICE_PASSWORD)

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "akslocal"), "explain", token, "--cluster", server_url], capture_output=True,
                              text=True, env=cluster.server.env(), timeout=60)

    before = run()
    assert before.returncode == 0, before.stderr
    assert f"[ok]   verdict     authenticated as {ALICE} with 3 group(s)" in before.stdout
    assert f"No (Cluster)RoleBinding names {ALICE}" in before.stdout
    cluster.bind_cluster_admin("alice-explained", "User", ALICE)
    after = run()
    assert (f"ClusterRoleBinding alice-explained → ClusterRole cluster-admin (via User {ALICE})"
            in after.stdout), after.stdout
    with cluster.server.client() as client:
        assert client.get("/_akslocal/webhook/metrics").status_code == 401
        metrics = client.get("/_akslocal/webhook/metrics",
                             headers={"X-Akslocal-Control-Key": control_key(cluster.server.data_dir)}).text
    assert 'akslocal_webhook_tokenreviews_total{reason="ok",result="authenticated"}' in metrics


def test_explain_against_a_webhook_configuration_without_the_server(cluster: SeedCluster) -> None:
    """``--tenant``/``--server-app-id``: the checks run in the command, keys fetched over HTTPS."""
    token = user_token(cluster, ALICE, ALICE_PASSWORD)
    base = [str(BIN / "akslocal"), "explain", token, "--tenant", cluster.tenant_id, "--authority", cluster.server.url,
            "--ca-bundle", str(cluster.server.ca_path)]
    ok = subprocess.run([*base, "--server-app-id", cluster.server_app_id], capture_output=True, text=True,
                        env=cluster.server.env(), timeout=60)
    assert ok.returncode == 0 and "[ok]   signature   signed by the tenant's key" in ok.stdout, ok.stdout + ok.stderr
    managed = subprocess.run([*base, "--mode", "managed", "--json"], capture_output=True, text=True,
                             env=cluster.server.env(), timeout=60)
    assert managed.returncode == 1
    audience = next(c for c in json.loads(managed.stdout)["checks"] if c["name"] == "audience")
    assert audience["ok"] is False and '"6dae42f8-4368-4678-94ff-3960e28e3630"' in audience["detail"]
