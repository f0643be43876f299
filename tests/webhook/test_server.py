"""The standalone HTTPS listener: TokenReview v1 and v1beta1 with the client certificate from
``akslocal webhook kubeconfig``; no certificate (or one of another CA) refused; /metrics, /healthz."""

from __future__ import annotations

import base64
import json
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml

from akslocal.clock import FixedClock
from akslocal.pki import CertificateAuthority
from akslocal.webhook.config import WebhookConfig
from akslocal.webhook.review import Authenticator
from akslocal.webhook.server import build_app, uvicorn_config
from akslocal.webhook.tlsfiles import ensure_tls
from tests.support.live import free_port
from tests.webhook.tokens import NOW, SERVER_APP, TENANT, Minter

MINTER = Minter()
CONFIG = WebhookConfig(tenant_id=TENANT, mode="legacy", server_app_id=SERVER_APP, server_app_secret="s")


@pytest.fixture(scope="module")
def webhook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    state = tmp_path_factory.mktemp("webhook-state")
    tls = ensure_tls(state, [])
    port = free_port()
    app = build_app(Authenticator(CONFIG, MINTER.key_set, FixedClock(NOW)))
    server = uvicorn.Server(uvicorn_config(app, tls, "127.0.0.1", port, "warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"https://127.0.0.1:{port}", state
    finally:
        server.should_exit = True
        thread.join(10)


def client_from_kubeconfig(state: Path, tmp_path: Path, url: str) -> tuple[httpx.Client, str]:
    """An httpx client holding exactly what the printed kubeconfig gives kube-apiserver."""
    out = subprocess.run([sys.executable, "-m", "akslocal.server.main", "webhook", "kubeconfig", "--state-dir",
                          str(state), "--server", f"{url}/tokenreviews"], capture_output=True, text=True, check=True)
    doc = yaml.safe_load(out.stdout)
    assert doc["current-context"] == "webhook" and doc["contexts"][0]["context"]["user"] == "kube-apiserver"
    cluster, user = doc["clusters"][0]["cluster"], doc["users"][0]["user"]
    for name, field in (("ca.pem", cluster["certificate-authority-data"]), ("c.pem", user["client-certificate-data"]),
                        ("k.pem", user["client-key-data"])):
        (tmp_path / name).write_bytes(base64.b64decode(field))
    context = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
    context.load_cert_chain(str(tmp_path / "c.pem"), str(tmp_path / "k.pem"))
    return httpx.Client(verify=context), cluster["server"]


@pytest.mark.parametrize("version", ["authentication.k8s.io/v1", "authentication.k8s.io/v1beta1"])
def test_token_review_over_https_with_the_kubeconfig_client_certificate(webhook, tmp_path: Path, version) -> None:
    url, state = webhook
    client, server = client_from_kubeconfig(state, tmp_path, url)
    with client:
        ok = client.post(server, json={"apiVersion": version, "kind": "TokenReview",
                                       "spec": {"token": MINTER.token(), "audiences": ["https://kubernetes"]}})
        assert ok.status_code == 200 and ok.headers["x-content-type-options"] == "nosniff"
        body = ok.json()
        assert body["apiVersion"] == version and body["kind"] == "TokenReview"
        assert body["status"]["authenticated"] is True
        assert body["status"]["user"]["username"] == "alice@contoso.onmicrosoft.com"
        # A refusal is HTTP 200 too, so that kube-apiserver reads status.error.
        refused = client.post(server, json={"apiVersion": version, "kind": "TokenReview",
                                            "spec": {"token": MINTER.token(exp=NOW - 5)}})
        assert refused.status_code == 200
        assert refused.json()["status"]["authenticated"] is False
        assert "oidc: token is expired" in refused.json()["status"]["error"]
        huge = client.post(server, json={"apiVersion": version, "kind": "TokenReview",
                                         "spec": {"token": "x" * (1024 * 1024)}})
        assert huge.status_code == 200 and "malformed jwt" in huge.json()["status"]["error"]
        assert client.post(server, content=b"{not json").status_code == 400
        assert client.post(server, content=b"[" * 100_000).status_code == 400
        assert client.post(server, json={"kind": "Pod"}).status_code == 400
        assert client.post(server, content=b"x" * (3 * 1024 * 1024)).status_code == 413
        metrics = client.get(f"{url}/metrics").text
        assert 'akslocal_webhook_tokenreviews_total{reason="ok",result="authenticated"}' in metrics
        assert "akslocal_webhook_tokenreview_duration_seconds_bucket" in metrics
        assert "akslocal_webhook_cache_hits_total" in metrics and "akslocal_webhook_graph_calls" in metrics
        assert client.get(f"{url}/healthz").text == "ok"


def test_without_a_client_certificate_refused(webhook, tmp_path: Path) -> None:
    url, state = webhook
    context = ssl.create_default_context(cafile=str(state / "ca.pem"))
    with httpx.Client(verify=context) as client, pytest.raises(httpx.TransportError):
        client.post(f"{url}/tokenreviews", json={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                                 "spec": {"token": MINTER.token()}})


def test_certificate_of_another_ca_or_organisation_refused(webhook, tmp_path: Path) -> None:
    url, state = webhook
    other = CertificateAuthority.create("someone else").issue_client("kube-apiserver", ("azure",))
    (tmp_path / "c.pem").write_text(other.cert_pem)
    (tmp_path / "k.pem").write_text(other.key_pem)
    context = ssl.create_default_context(cafile=str(state / "ca.pem"))
    context.load_cert_chain(str(tmp_path / "c.pem"), str(tmp_path / "k.pem"))
    with httpx.Client(verify=context) as client, pytest.raises(httpx.TransportError):
        client.get(f"{url}/healthz")

    ca_pem, ca_key = (state / "ca.pem").read_text(), (state / "ca-key.pem").read_text()
    for orgs, message in ((("github",), "guard does not provide service for github"),
                          ((), "Client certificate is missing organization")):
        cert = CertificateAuthority.from_pem(ca_pem, ca_key).issue_client("kube-apiserver", orgs)
        (tmp_path / "c.pem").write_text(cert.cert_pem)
        (tmp_path / "k.pem").write_text(cert.key_pem)
        context = ssl.create_default_context(cafile=str(state / "ca.pem"))
        context.load_cert_chain(str(tmp_path / "c.pem"), str(tmp_path / "k.pem"))
        with httpx.Client(verify=context) as client:
            r = client.post(f"{url}/tokenreviews", content=json.dumps({}))
            assert (r.status_code, r.text) == (400, message)


def test_serve_refuses_an_incomplete_configuration(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "akslocal.server.main", "webhook", "serve", "--tenant",
                          TENANT, "--server-app-id", SERVER_APP, "--state-dir", str(tmp_path)],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert run.returncode == 2 and "legacy mode needs the server application's secret" in run.stderr
    usage = subprocess.run([sys.executable, "-m", "akslocal.server.main", "webhook"], capture_output=True, text=True,
                           timeout=60)
    assert usage.returncode == 2 and "serve" in usage.stdout and "kubeconfig" in usage.stdout


def test_the_printed_kubeconfig_works_with_the_kubernetes_clients_loader(webhook, tmp_path: Path) -> None:
    """The file kube-apiserver gets, read by a real kubeconfig loader (client certificate, CA, server URL)."""
    from kubernetes import config as kube_config

    url, state = webhook
    out = subprocess.run([sys.executable, "-m", "akslocal.server.main", "webhook", "kubeconfig", "--state-dir",
                          str(state), "--server", f"{url}/tokenreviews"], capture_output=True, text=True, check=True)
    path = tmp_path / "akslocal-webhook.yaml"
    path.write_text(out.stdout)
    api = kube_config.new_client_from_config(config_file=str(path))
    try:
        method, target, headers, payload, _ = api.param_serialize(
            "POST", "", header_params={"Content-Type": "application/json", "Accept": "application/json"},
            body={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": MINTER.token()}},
            auth_settings=["BearerToken"])
        response = api.call_api(method, target, header_params=headers, body=payload)
        response.read()
        status, body = response.status, json.loads(response.data)
    finally:
        api.close()
    assert status == 200 and body["status"]["user"]["username"] == "alice@contoso.onmicrosoft.com"
