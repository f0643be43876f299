"""The local CAs: certificates that real TLS stacks accept, kept across restarts."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from akslocal.pki import CertificateAuthority, load_or_create_edge_tls


def test_server_certificate_names_every_host_and_chains_to_the_ca(tmp_path: Path) -> None:
    ca_path, cert_path, key_path = load_or_create_edge_tls(tmp_path, ["akslocal.test"])
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    assert {"localhost", "akslocal.test"} <= set(sans.get_values_for_type(x509.DNSName))
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"


def test_edge_tls_is_reused_and_reissued_only_for_new_hosts(tmp_path: Path) -> None:
    ca1, cert1, _ = load_or_create_edge_tls(tmp_path, [])
    ca_pem, cert_pem = ca1.read_text(), cert1.read_text()
    load_or_create_edge_tls(tmp_path, [])
    assert (ca1.read_text(), cert1.read_text()) == (ca_pem, cert_pem)
    load_or_create_edge_tls(tmp_path, ["10.1.2.3"])
    assert ca1.read_text() == ca_pem, "a new host must not change the CA clients trust"
    assert cert1.read_text() != cert_pem


def test_client_certificate_carries_user_and_groups() -> None:
    ca = CertificateAuthority.create("test CA")
    issued = ca.issue_client("masterclient", ("system:masters",))
    cert = x509.load_pem_x509_certificate(issued.cert_pem.encode())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "masterclient"
    assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)] == ["system:masters"]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
    reloaded = CertificateAuthority.from_pem(ca.cert_pem, ca.key_pem)
    cert.verify_directly_issued_by(reloaded.cert)


def test_client_ca_is_created_once_and_signs_admin_certificates(tmp_path: Path) -> None:
    from akslocal.pki import load_or_create_client_ca

    ca, path = load_or_create_client_ca(tmp_path)
    again, same_path = load_or_create_client_ca(tmp_path)
    assert same_path == path == tmp_path / "tls" / "client-ca.pem"
    assert again.cert_pem == ca.cert_pem and again.key_pem == ca.key_pem
    assert oct((tmp_path / "tls" / "client-ca-key.pem").stat().st_mode & 0o777) == "0o600"
    issued = again.issue_client("masterclient", ("system:masters",))
    x509.load_pem_x509_certificate(issued.cert_pem.encode()).verify_directly_issued_by(ca.cert)
