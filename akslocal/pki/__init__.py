"""Local certificate authorities and certificates (the edge's TLS CA, each cluster's CA, client certificates)."""

from akslocal.pki.ca import CertificateAuthority, IssuedCert, load_or_create_client_ca, load_or_create_edge_tls

__all__ = ["CertificateAuthority", "IssuedCert", "load_or_create_client_ca", "load_or_create_edge_tls"]
