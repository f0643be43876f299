"""Provisioning clusters: the contract the ARM piece calls (see the team brief).

A cluster is a ``kube.cluster`` record (spec, auth, credential fingerprints) plus its
Kubernetes objects.  The admin token is never stored: it is derived from a per-machine
secret (``<data dir>/kube-token.key``) and the cluster id, and only its SHA-256 is kept
to check it.  The admin client certificate is issued by the edge's client CA; its
fingerprint is remembered so a certificate of one cluster is refused by every other.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from akslocal.kube import objects, seed
from akslocal.kube.api import ClusterApi
from akslocal.store import NotFound


@dataclass(frozen=True)
class ClusterAuth:  # how bearer tokens are checked (via the webhook)
    mode: str  # "none" | "legacy" | "managed"
    tenant_id: str | None = None
    server_app_id: str | None = None  # legacy: the customer's server app; managed: 6dae42f8-…
    server_app_secret: str | None = None  # legacy only
    client_app_id: str | None = None


@dataclass(frozen=True)
class ClusterSpec:
    cluster_id: str  # url-safe id (ARM: a guid)
    name: str
    resource_group: str
    kubernetes_version: str
    node_count: int
    auth: ClusterAuth
    admin_group_ids: tuple[str, ...] = ()
    local_accounts: bool = True
    node_pool: str = "nodepool1"


@dataclass(frozen=True)
class ClusterCredentials:
    server_url: str  # f"{public_url}/clusters/{cluster_id}"
    ca_pem: str  # the edge CA (the edge serves the TLS)
    admin_cert_pem: str  # CN masterclient, O system:masters, signed by client CA
    admin_key_pem: str
    admin_token: str


class ClusterNotFound(LookupError):
    pass


def _token_key(services: Any) -> bytes:
    path = Path(services.settings.data_dir) / "kube-token.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as handle:
            handle.write(services.entropy.token_bytes(32))
    return path.read_bytes()


def admin_token(services: Any, cluster_id: str, serial: int) -> str:
    return hmac.new(_token_key(services), f"{cluster_id}:{serial}".encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _client_ca(services: Any):  # -> CertificateAuthority
    from akslocal.pki import load_or_create_client_ca

    return load_or_create_client_ca(Path(services.settings.data_dir))[0]


def cert_fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _pem_fingerprint(pem: str) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(pem.encode())
    return cert_fingerprint(cert.public_bytes(serialization.Encoding.DER))


def auth_to_dict(auth: ClusterAuth) -> dict[str, Any]:
    return asdict(auth)


def auth_from_dict(doc: dict[str, Any]) -> ClusterAuth:
    return ClusterAuth(**{k: doc.get(k) for k in ("mode", "tenant_id", "server_app_id", "server_app_secret",
                                                  "client_app_id")})


def _vmss_digits(services: Any) -> str:
    return str(int.from_bytes(services.entropy.token_bytes(4), "big") % 90_000_000 + 10_000_000)


def provision_cluster(services: Any, spec: ClusterSpec) -> ClusterCredentials:
    """Create the cluster and everything in it in one transaction (idempotent per cluster id:
    provisioning an existing id returns its credentials)."""
    with services.store.transaction(write=False) as tx:
        if tx.get(objects.CLUSTERS, spec.cluster_id) is not None:
            return cluster_credentials(services, spec.cluster_id)
    issued = _client_ca(services).issue_client("masterclient", ("system:masters",))
    token = admin_token(services, spec.cluster_id, 1)
    record = {
        "id": spec.cluster_id, "name": spec.name, "resourceGroup": spec.resource_group,
        "kubernetesVersion": spec.kubernetes_version, "nodeCount": spec.node_count, "nodePool": spec.node_pool,
        "auth": auth_to_dict(spec.auth), "adminGroupIds": list(spec.admin_group_ids),
        "localAccounts": spec.local_accounts, "tokenSerial": 1, "adminTokenSha256": token_hash(token),
        "adminCertPem": issued.cert_pem, "adminKeyPem": issued.key_pem,
        "certFingerprints": [_pem_fingerprint(issued.cert_pem)], "vmssDigits": _vmss_digits(services),
        "createdAt": services.clock.now(),
    }
    api = ClusterApi(services, spec.cluster_id)
    with services.store.transaction() as tx:
        tx.create(objects.CLUSTERS, spec.cluster_id, record)
        seed.seed_cluster(api, tx, version=spec.kubernetes_version, node_count=spec.node_count,
                          pool=spec.node_pool, vmss_digits=record["vmssDigits"],
                          admin_group_ids=tuple(spec.admin_group_ids), legacy=spec.auth.mode == "legacy")
    return cluster_credentials(services, spec.cluster_id)


def get_cluster(services: Any, cluster_id: str) -> dict[str, Any] | None:
    with services.store.transaction(write=False) as tx:
        return tx.get(objects.CLUSTERS, cluster_id)


def update_cluster(services: Any, cluster_id: str, *, auth: ClusterAuth | None = None,
                   admin_group_ids: tuple[str, ...] | list[str] | None = None, local_accounts: bool | None = None,
                   node_count: int | None = None) -> None:
    from akslocal.kube.resources import lookup

    api = ClusterApi(services, cluster_id)
    crb = lookup("rbac.authorization.k8s.io", "v1", "clusterrolebindings")
    with services.store.transaction() as tx:
        record = tx.get(objects.CLUSTERS, cluster_id)
        if record is None:
            raise ClusterNotFound(cluster_id)
        if auth is not None:
            record["auth"] = auth_to_dict(auth)
        if local_accounts is not None:
            record["localAccounts"] = bool(local_accounts)
        if admin_group_ids is not None:
            wanted = list(dict.fromkeys(admin_group_ids))
            for b in objects.scan(tx, cluster_id, crb):
                if (b["metadata"].get("labels") or {}).get(seed.ADMIN_GROUP_LABEL) == "true":
                    subjects = [s.get("name") for s in b.get("subjects") or []]
                    if not set(subjects) <= set(wanted):
                        api._delete_in(tx, crb, "", b["metadata"]["name"])
            for gid in wanted:
                if objects.read(tx, cluster_id, crb, "", seed.admin_group_binding(gid)["metadata"]["name"]) is None:
                    seed.create_object(api, tx, seed.admin_group_binding(gid))
            record["adminGroupIds"] = wanted
        if node_count is not None and node_count != record["nodeCount"]:
            seed.set_node_count(api, tx, version=record["kubernetesVersion"], node_count=int(node_count),
                                pool=record["nodePool"], vmss_digits=record["vmssDigits"],
                                created=objects.rfc3339(services.clock.now()))
            record["nodeCount"] = int(node_count)
        tx.put(objects.CLUSTERS, cluster_id, record)


def delete_cluster(services: Any, cluster_id: str) -> None:
    with services.store.transaction() as tx:
        try:
            tx.delete(objects.CLUSTERS, cluster_id)
        except NotFound:
            return
        objects.delete_cluster_objects(tx, cluster_id)


def cluster_credentials(services: Any, cluster_id: str) -> ClusterCredentials:
    record = get_cluster(services, cluster_id)
    if record is None:
        raise ClusterNotFound(cluster_id)
    return ClusterCredentials(
        server_url=f"{services.settings.public_url}/clusters/{cluster_id}",
        ca_pem=Path(services.settings.ca_path).read_text() if Path(services.settings.ca_path).exists() else "",
        admin_cert_pem=record["adminCertPem"], admin_key_pem=record["adminKeyPem"],
        admin_token=admin_token(services, cluster_id, int(record.get("tokenSerial", 1))),
    )
