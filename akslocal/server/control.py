"""The control plane under ``/_akslocal/`` (moto's ``/moto-api``): clock, resets, state hooks.

Pieces add their own control routes in their ``routes.py`` under the same prefix; this
module holds the shared ones.  Authorization: the control plane is for the machine's owner,
so it requires a bearer token of a Global Administrator of any tenant, or the local control
key in ``<data dir>/control.key`` (header ``X-Akslocal-Control-Key``), which tests and
the `akslocal` command use.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from akslocal.server.context import Services

CONTROL_KEY_HEADER = "x-akslocal-control-key"


def control_key(data_dir: Path) -> str:
    """The local control key (created on first use, mode 0600)."""
    import os
    import secrets

    path = data_dir / "control.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def is_control_caller(services: Services, request: Request) -> bool:
    given = request.headers.get(CONTROL_KEY_HEADER, "")
    expected = services.extras.setdefault("control_key", control_key(services.settings.data_dir))
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def _denied() -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "Unauthorized", "message": f"send the control key in {CONTROL_KEY_HEADER}"}},
        status_code=401,
    )


def routes(services: Services) -> list[BaseRoute]:
    async def clock(request: Request) -> JSONResponse:
        if not is_control_caller(services, request):
            return _denied()
        if request.method == "POST":
            try:
                body = await request.json()
                seconds = float(body["advanceSeconds"])
                if seconds < 0 or seconds > 10 * 365 * 86400:
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                return JSONResponse(
                    {
                        "error": {
                            "code": "BadRequest",
                            "message": 'body must be {"advanceSeconds": <non-negative number>}',
                        }
                    },
                    status_code=400,
                )
            services.clock.advance(seconds)  # type: ignore[attr-defined]
        return JSONResponse({"now": services.clock.now(), "offset": getattr(services.clock, "offset", 0.0)})

    return [Route("/_akslocal/clock", clock, methods=["GET", "POST"])]
