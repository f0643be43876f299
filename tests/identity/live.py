"""A live akslocal with the identity test directory (tests/identity/seed.py)."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import httpx
import jwt

from tests.identity.seed import Seed, seed
from tests.support.live import LiveServer, free_port


def start_seeded(data_dir: Path) -> tuple[LiveServer, Seed]:
    port = free_port()
    s = seed(data_dir, port)
    server = LiveServer.start(data_dir, port=port)
    with server.client() as client:
        client.get("/_akslocal/clock")  # the control key file is created on the first control call
    return server, s


def jwks(server: LiveServer, path: str = "/common/discovery/keys") -> dict:
    with server.client() as client:
        return client.get(path).json()


def verify(server: LiveServer, token: str, audience: str, *, issuer: str | None = None) -> dict:
    """Check a token's signature against our JWKS with PyJWT (an independent implementation)."""
    header = jwt.get_unverified_header(token)
    keyset = jwt.PyJWKSet.from_dict(jwks(server))
    key = keyset[header["kid"]]
    options = {"verify_iat": False, "verify_nbf": False}  # the emulator's clock may run ahead
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=issuer, options=options)


def ssl_context(server: LiveServer) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(server.ca_path))


def http(server: LiveServer, **kwargs) -> httpx.Client:
    return httpx.Client(base_url=server.url, verify=ssl_context(server), **kwargs)


def dump(value) -> str:
    return json.dumps(value, indent=1)[:2000]
