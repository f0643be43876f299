"""The standalone webhook's TLS material in its state dir: its own CA, a server certificate and
the client certificate the API server presents (O=``azure``, as ``guard init client -o Azure``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from akslocal.pki import CertificateAuthority

CLIENT_ORG = "azure"
CLIENT_CN = "kube-apiserver"


@dataclass(frozen=True)
class WebhookTls:
    directory: Path

    @property
    def ca(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca-key.pem"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server-key.pem"

    @property
    def client_cert(self) -> Path:
        return self.directory / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.directory / "client-key.pem"


def _write(path: Path, text: str, private: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def ensure_tls(directory: Path, hosts: list[str]) -> WebhookTls:
    """Create what is missing; a server certificate is re-issued when a new host is asked for."""
    tls = WebhookTls(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if tls.ca.exists() and tls.ca_key.exists():
        ca = CertificateAuthority.from_pem(tls.ca.read_text(), tls.ca_key.read_text())
    else:
        ca = CertificateAuthority.create("akslocal webhook CA")
        _write(tls.ca_key, ca.key_pem, private=True)
        _write(tls.ca, ca.cert_pem)
    wanted = list(dict.fromkeys(["127.0.0.1", "localhost", *hosts]))
    hosts_file = directory / "server-hosts.txt"
    have = hosts_file.read_text().split() if hosts_file.exists() else []
    if not tls.server_cert.exists() or not set(wanted) <= set(have):
        issued = ca.issue_server(list(dict.fromkeys([*wanted, *have])))
        _write(tls.server_key, issued.key_pem, private=True)
        _write(tls.server_cert, issued.cert_pem)
        _write(hosts_file, "\n".join(dict.fromkeys([*wanted, *have])))
    if not tls.client_cert.exists():
        client = ca.issue_client(CLIENT_CN, (CLIENT_ORG,))
        _write(tls.client_key, client.key_pem, private=True)
        _write(tls.client_cert, client.cert_pem)
    return tls
