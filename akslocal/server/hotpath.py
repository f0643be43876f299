"""Hot paths: the few endpoints that are served as plain ASGI, ahead of Starlette.

Starlette's middleware stack, its route scan and its request/response objects cost about as
much as a token's RSA signature.  An endpoint whose rate matters (the token endpoint: every
``az``, MSAL and kubelogin call ends there) registers a :class:`HotRoute` instead of a
Starlette ``Route``; :class:`Edge` matches those first, by one regular expression each, and
hands everything else to the Starlette app unchanged.  A hot route answers every method on
its path (``405`` with ``Allow`` for the ones it does not serve, as Starlette would).

The helpers here are the whole ASGI surface a hot route needs: read a size-limited body,
look up a header, answer JSON or plain text.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
HotHandler = Callable[[Scope, Receive, Send, "re.Match[str]"], Awaitable[None]]


@dataclass(frozen=True)
class HotRoute:
    """``pattern`` is matched against the whole decoded path (``[^/]+`` for a path segment)."""

    pattern: re.Pattern[str]
    handler: HotHandler
    methods: frozenset[str] = frozenset({"POST"})


class Edge:
    """The edge ASGI app: hot routes first, then the Starlette app (which also runs the lifespan)."""

    def __init__(self, app: Any, hot_routes: Iterable[HotRoute]) -> None:
        self.app = app
        self.hot_routes = tuple(hot_routes)

    @property
    def state(self) -> Any:
        return self.app.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            for route in self.hot_routes:
                match = route.pattern.fullmatch(path)
                if match is not None:
                    if scope["method"] not in route.methods:
                        await send_text(send, 405, "Method Not Allowed", {"allow": ", ".join(sorted(route.methods))})
                        return
                    await route.handler(scope, receive, send, match)
                    return
        await self.app(scope, receive, send)


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None as soon as it grows past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def headers_named(scope: Scope, names: Iterable[bytes]) -> dict[bytes, str]:
    """The first value of each wanted header (names in lower case, as ASGI servers give them)."""
    wanted = set(names)
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in wanted and name not in found:
            found[name] = value.decode("latin-1")
    return found


async def send_json(send: Send, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    """Compact UTF-8 JSON, as Starlette's JSONResponse renders it (orjson: same bytes, a fraction of the time)."""
    data = orjson.dumps(body)
    await _send(send, status, data, b"application/json", headers)


async def send_text(send: Send, status: int, text: str, headers: dict[str, str] | None = None) -> None:
    await _send(send, status, text.encode(), b"text/plain; charset=utf-8", headers)


async def _send(send: Send, status: int, data: bytes, content_type: bytes, headers: dict[str, str] | None) -> None:
    raw = [(b"content-length", str(len(data)).encode()), (b"content-type", content_type)]
    if headers:
        raw.extend((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})
