"""The edge's hot routes: matched first on the whole path, everything else reaches Starlette."""

from __future__ import annotations

import asyncio
import re

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from akslocal.server.hotpath import Edge, HotRoute, headers_named, read_body, send_json


async def _echo(scope, receive, send, match) -> None:
    body = await read_body(receive, 10)
    if body is None:
        await send_json(send, 413, {"error": "too large"})
        return
    found = headers_named(scope, [b"x-one", b"x-missing"])
    await send_json(send, 200, {"tenant": match["tenant"], "body": body.decode(), "é": "ü",
                                "headers": {k.decode(): v for k, v in found.items()}},
                    {"Cache-Control": "no-store"})


def _app() -> Edge:
    async def slow(request):
        return PlainTextResponse("starlette " + request.url.path)

    starlette = Starlette(routes=[Route("/{rest:path}", slow, methods=["GET", "POST"])])
    starlette.state.marker = "kept"
    return Edge(starlette, [HotRoute(re.compile(r"/(?P<tenant>[^/]+)/echo"), _echo)])


def _call(method: str, path: str, **kwargs) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://edge") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def test_a_hot_route_answers_with_compact_utf8_json_and_its_headers():
    r = _call("POST", "/contoso/echo", content=b"a=1", headers=[("X-One", "1"), ("X-One", "2")])
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-store" and r.headers["content-length"] == str(len(r.content))
    assert r.content.startswith(b'{"tenant":"contoso","body":"a=1","\xc3\xa9":"\xc3\xbc"')
    assert r.json()["headers"] == {"x-one": "1"}


def test_the_whole_path_must_match_and_other_paths_reach_starlette():
    assert _call("POST", "/contoso/echo/more").text == "starlette /contoso/echo/more"
    assert _call("POST", "/a/b/echo").text == "starlette /a/b/echo"
    assert _call("GET", "/health").text == "starlette /health"
    assert _app().state.marker == "kept"


def test_methods_a_hot_route_does_not_serve_get_405_with_allow():
    r = _call("GET", "/contoso/echo")
    assert r.status_code == 405 and r.headers["allow"] == "POST" and r.text == "Method Not Allowed"


def test_read_body_stops_at_the_limit():
    assert _call("POST", "/t/echo", content=b"x" * 10).json()["body"] == "x" * 10
    assert _call("POST", "/t/echo", content=b"x" * 11).status_code == 413
