"""uvicorn HTTP protocols that hand the TLS client certificate to the app.

uvicorn does not put the peer certificate in the ASGI scope, and kube-apiserver
style authentication needs it (admin kubeconfigs authenticate by client
certificate).  After the handshake we wrap the connection's app so each request's
scope carries ``scope["extensions"]["tls"]["client_cert_der"]`` (``None`` when the
client sent none; the TLS layer already verified it against the client CA).

The protocol also hands uvicorn a :class:`CoalescingTransport`: uvicorn writes a response's
head and its body separately, and over TLS every write is a record of its own and a system
call of its own; writes made in one step of the event loop now leave together.
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


class CoalescingTransport:
    """A transport whose writes are joined until the event loop's next step, then written at once.

    ``close`` writes what is pending first; ``abort`` drops it.  Everything else is the wrapped
    transport's (flow control included: it still calls the protocol's pause/resume_writing).
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class PeerCertHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        self.app = _with_peer_cert(self.app, der)
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
