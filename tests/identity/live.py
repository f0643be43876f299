"""A live akslocal with the identity test directory (tests/identity/seed.py)."""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import jwt

from tests.identity.seed import Seed, seed
from tests.support.live import LiveServer, free_port


def start_seeded(data_dir: Path, *args: str) -> tuple[LiveServer, Seed]:
    port = free_port()
    s = seed(data_dir, port)
    server = LiveServer.start(data_dir, *args, port=port)
    with server.client() as client:
        client.get("/_akslocal/clock")  # the control key file is created on the first control call
    return server, s


@contextmanager
def seeded_server(data_dir: Path) -> Iterator[tuple[LiveServer, Seed]]:
    """A seeded live akslocal for a test module, stopped afterwards."""
    server, s = start_seeded(data_dir)
    try:
        yield server, s
    finally:
        server.stop()


@contextmanager
def requests_trusts(server: LiveServer) -> Iterator[None]:
    """REQUESTS_CA_BUNDLE names the server's CA (for MSAL and azure-identity), restored afterwards."""
    old = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(server.ca_path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = old


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
