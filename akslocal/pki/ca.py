"""A small CA on `cryptography`: create, load from PEM, issue server and client certificates."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from akslocal.atomicfile import write_atomic

_VALIDITY = dt.timedelta(days=3650)


@dataclass(frozen=True)
class IssuedCert:
    cert_pem: str
    key_pem: str


def _new_key() -> ec.EllipticCurvePrivateKey:
    # P-256: fast to create (cluster creation makes several) and accepted by Go, OpenSSL and browsers.
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    # Signing only: EC keys do no key encipherment; only a CA signs certificates and CRLs.
    return x509.KeyUsage(
        digital_signature=True, key_cert_sign=ca, crl_sign=ca, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, encipher_only=False, decipher_only=False,
    )


def _name(cn: str, orgs: tuple[str, ...] = ()) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


class CertificateAuthority:
    def __init__(self, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        self.cert = cert
        self.key = key

    @classmethod
    def create(cls, common_name: str, now: dt.datetime | None = None) -> CertificateAuthority:
        now = now or dt.datetime.now(dt.UTC)
        key = _new_key()
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(_name(common_name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_key_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(cert, key)

    @classmethod
    def from_pem(cls, cert_pem: str, key_pem: str) -> CertificateAuthority:
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("CA key must be an EC key")
        return cls(x509.load_pem_x509_certificate(cert_pem.encode()), key)

    @property
    def cert_pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def key_pem(self) -> str:
        return _key_pem(self.key)

    def _issue(self, subject: x509.Name, usage: ExtendedKeyUsageOID, sans: list[x509.GeneralName]) -> IssuedCert:
        now = dt.datetime.now(dt.UTC)
        key = _new_key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        return IssuedCert(cert.public_bytes(serialization.Encoding.PEM).decode(), _key_pem(key))

    def issue_server(self, hosts: list[str]) -> IssuedCert:
        sans: list[x509.GeneralName] = []
        for host in dict.fromkeys(hosts):
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                sans.append(x509.DNSName(host))
        return self._issue(_name(hosts[0] if hosts else "localhost"), ExtendedKeyUsageOID.SERVER_AUTH, sans)

    def issue_client(self, common_name: str, organizations: tuple[str, ...] = ()) -> IssuedCert:
        """A client certificate as kube-apiserver reads it: CN → user name, O → groups."""
        return self._issue(_name(common_name, organizations), ExtendedKeyUsageOID.CLIENT_AUTH, [])


def _write_private(path: Path, text: str) -> None:
    write_atomic(path, text, mode=0o600)


def _tls_dir(data_dir: Path) -> Path:
    tls = data_dir / "tls"
    tls.mkdir(parents=True, exist_ok=True, mode=0o700)
    return tls


@contextmanager
def _creating(tls: Path) -> Iterator[None]:
    """One process at a time creates or replaces files in ``tls`` (servers and workers start together)."""
    from filelock import FileLock

    with FileLock(str(tls / ".create.lock"), timeout=60):
        yield


def load_or_create_edge_tls(data_dir: Path, hosts: list[str]) -> tuple[Path, Path, Path]:
    """The edge's CA and server certificate in ``<data dir>/tls``: created once, reused after.

    A new server certificate is issued (by the same CA) when a host is asked for that the
    current certificate does not name, so clients keep trusting the same CA file.
    Returns ``(ca_path, cert_path, key_path)``.
    """
    tls = _tls_dir(data_dir)
    with _creating(tls):
        return _edge_tls(tls, hosts)


def _edge_tls(tls: Path, hosts: list[str]) -> tuple[Path, Path, Path]:
    ca_path, ca_key_path = tls / "ca.pem", tls / "ca-key.pem"
    cert_path, key_path, hosts_path = tls / "server.pem", tls / "server-key.pem", tls / "server-hosts.txt"
    if ca_path.exists() and ca_key_path.exists():
        ca = CertificateAuthority.from_pem(ca_path.read_text(), ca_key_path.read_text())
    else:
        ca = CertificateAuthority.create("akslocal local CA")
        _write_private(ca_key_path, ca.key_pem)
        write_atomic(ca_path, ca.cert_pem)
    wanted = list(dict.fromkeys(["127.0.0.1", "localhost", "::1", *hosts]))
    have = hosts_path.read_text().split() if hosts_path.exists() else []
    if not (cert_path.exists() and key_path.exists()) or not set(wanted) <= set(have):
        issued = ca.issue_server(list(dict.fromkeys([*wanted, *have])))
        _write_private(key_path, issued.key_pem)
        write_atomic(cert_path, issued.cert_pem)
        hosts_path.write_text("\n".join(sorted(set(wanted) | set(have))))
    return ca_path, cert_path, key_path


def load_or_create_client_ca(data_dir: Path) -> tuple[CertificateAuthority, Path]:
    """The CA of cluster admin client certificates, ``<data dir>/tls/client-ca.pem``: created once, reused after.

    The edge asks clients for certificates issued by it; each cluster accepts only its own admin
    certificate among them.  Returns ``(ca, cert_path)``.
    """
    tls = _tls_dir(data_dir)
    path, key = tls / "client-ca.pem", tls / "client-ca-key.pem"
    if path.exists() and key.exists():
        return CertificateAuthority.from_pem(path.read_text(), key.read_text()), path
    with _creating(tls):
        if not (path.exists() and key.exists()):  # nobody made it while we waited
            ca = CertificateAuthority.create("akslocal kubernetes client CA")
            _write_private(key, ca.key_pem)
            write_atomic(path, ca.cert_pem)
        return CertificateAuthority.from_pem(path.read_text(), key.read_text()), path
