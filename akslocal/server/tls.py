"""uvicorn HTTP protocols that hand the TLS client certificate to the app.

uvicorn does not put the peer certificate in the ASGI scope, and kube-apiserver
style authentication needs it (admin kubeconfigs authenticate by client
certificate).  After the handshake we wrap the connection's app so each request's
scope carries ``scope["extensions"]["tls"]["client_cert_der"]`` (``None`` when the
client sent none; the TLS layer already verified it against the client CA).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def client_cert_der(scope: dict[str, Any]) -> bytes | None:
    return (scope.get("extensions") or {}).get("tls", {}).get("client_cert_der")


def _with_peer_cert(app: Any, der: bytes | None) -> Any:
    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        extensions = dict(scope.get("extensions") or {})
        extensions["tls"] = {"client_cert_der": der}
        scope["extensions"] = extensions
        await app(scope, receive, send)

    return wrapped


class PeerCertHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        self.app = _with_peer_cert(self.app, der)
        super().connection_made(transport)
