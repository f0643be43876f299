"""Tokens minted in the tests: our own RSA keys, Entra's v1 claims, and every way to forge one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from akslocal.webhook.keys import StaticKeySet

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "9c7e1c3a-3c1e-4b52-8a4e-0b4f1c2d3e4f"
SERVER_APP = "11111111-2222-3333-4444-555555555555"
CLIENT_APP = "66666666-7777-8888-9999-000000000000"
AKS_SERVER = "6dae42f8-4368-4678-94ff-3960e28e3630"
NOW = 1_800_000_000
ALICE_OID = "aaaaaaaa-0000-0000-0000-000000000001"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def seg(obj: Any) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


@dataclass
class Minter:
    kid: str = "test-kid-1"
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537,
                                                                                    key_size=2048))

    @property
    def key_set(self) -> StaticKeySet:
        return StaticKeySet({self.kid: self.key.public_key()})

    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        return {"keys": [{"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid, "n": b64(n),
                          "e": b64(numbers.e.to_bytes(3, "big"))}]}

    def sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        signing_input = f"{seg(header)}.{seg(claims)}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64(signature)}"

    def token(self, **overrides: Any) -> str:
        return self.sign({"typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid}, claims(**overrides))


def claims(**overrides: Any) -> dict[str, Any]:
    """A v1 user access token for the legacy server app (as kubelogin --legacy gets it)."""
    base: dict[str, Any] = {
        "aud": f"spn:{SERVER_APP}", "iss": f"https://sts.windows.net/{TENANT}/", "iat": NOW - 60, "nbf": NOW - 60,
        "exp": NOW + 3600, "acr": "1", "amr": ["pwd"], "appid": CLIENT_APP, "appidacr": "0",
        "name": "Alice", "oid": ALICE_OID, "scp": "user_impersonation", "sub": "s" * 43, "tid": TENANT,
        "unique_name": "alice@contoso.onmicrosoft.com", "upn": "alice@contoso.onmicrosoft.com", "ver": "1.0",
        "groups": ["g1", "g2"],
    }
    for name, value in overrides.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return base


def overage(oid: str = ALICE_OID, **overrides: Any) -> dict[str, Any]:
    return {"groups": None, "_claim_names": {"groups": "src1"},
            "_claim_sources": {"src1": {"endpoint": f"https://graph.windows.net/{TENANT}/users/{oid}/getMemberObjects"}},
            **overrides}


def alg_none(minter: Minter) -> str:
    return f"{seg({'typ': 'JWT', 'alg': 'none', 'kid': minter.kid})}.{seg(claims())}."


def hs256_with_public_key(minter: Minter) -> str:
    signing_input = f"{seg({'typ': 'JWT', 'alg': 'HS256', 'kid': minter.kid})}.{seg(claims())}"
    mac = hmac.new(minter.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def tampered(minter: Minter) -> str:
    header, _, signature = minter.token().split(".")
    return f"{header}.{seg(claims(upn='mallory@contoso.onmicrosoft.com'))}.{signature}"
