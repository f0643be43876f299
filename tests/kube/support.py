"""Helpers for the cluster tests: provision through the control route, write kubeconfigs,
run the real kubectl with a private KUBECONFIG and KUBECACHEDIR."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.live import LiveServer

KUBECTL_DIR = Path("/usr/lib/google-cloud-sdk/bin")


def control_key(server: LiveServer) -> str:
    from akslocal.server.control import control_key as make_key

    return make_key(server.data_dir)


def provision(server: LiveServer, cluster_id: str, **spec: object) -> dict[str, str]:
    body = {"clusterId": cluster_id, "kubernetesVersion": "1.32.4", "nodeCount": 3, **spec}
    with server.client() as client:
        r = client.post("/_akslocal/clusters", json=body, headers={"X-Akslocal-Control-Key": control_key(server)})
    assert r.status_code == 201, r.text
    return r.json()


def update(server: LiveServer, cluster_id: str, **changes: object) -> None:
    with server.client() as client:
        r = client.patch(f"/_akslocal/clusters/{cluster_id}", json=changes,
                         headers={"X-Akslocal-Control-Key": control_key(server)})
    assert r.status_code == 204, r.text


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class Kubectl:
    """kubectl with its own kubeconfig and discovery cache."""

    kubeconfig: Path
    cache: Path
    binary: str = "kubectl"

    def run(self, *args: str, input: str | None = None, timeout: float = 60, check: bool = False,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        full_env = dict(os.environ, KUBECONFIG=str(self.kubeconfig), KUBECACHEDIR=str(self.cache))
        full_env.update(env or {})
        p = subprocess.run([self.binary, *args], input=input, capture_output=True, text=True, timeout=timeout,
                           env=full_env)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def ok(self, *args: str, input: str | None = None) -> str:
        return self.run(*args, input=input, check=True).stdout

    def with_binary(self, binary: str) -> Kubectl:
        return Kubectl(self.kubeconfig, self.cache, binary)


def write_kubeconfig(path: Path, creds: dict[str, str], *, user: dict[str, object] | None = None,
                     server_url: str | None = None) -> Path:
    """A kubeconfig for the cluster; the admin client certificate unless ``user`` is given."""
    if user is None:
        user = {"client-certificate-data": _b64(creds["adminCertPem"]), "client-key-data": _b64(creds["adminKeyPem"])}
    config = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "aks", "cluster": {"server": server_url or creds["serverUrl"],
                                                 "certificate-authority-data": _b64(creds["caPem"])}}],
        "users": [{"name": "user", "user": user}],
        "contexts": [{"name": "aks", "context": {"cluster": "aks", "user": "user"}}],
        "current-context": "aks",
    }
    path.write_text(json.dumps(config))
    return path


def kubectl_for(tmp: Path, creds: dict[str, str], name: str = "admin", **kw: object) -> Kubectl:
    tmp.mkdir(parents=True, exist_ok=True)
    cfg = write_kubeconfig(tmp / f"{name}.kubeconfig", creds, **kw)  # type: ignore[arg-type]
    return Kubectl(cfg, tmp / f"{name}-cache")
