"""The standalone webhook: ``POST /tokenreviews`` over HTTPS for a real kube-apiserver.

As guard: TLS with a client certificate signed by the webhook's CA (here required at the
handshake), the certificate's first Subject O picks the provider (``azure``), the answer is
an ``authentication.k8s.io`` TokenReview of the request's apiVersion. Unlike guard, a refused
token is answered with HTTP 200 — kube-apiserver reads ``status.error`` only on 200 and
discards the message of any other status. ``/metrics`` and ``/healthz`` sit beside it.
"""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from akslocal.webhook import metrics
from akslocal.webhook.review import Authenticator, BadTokenReview, parse_token_review, token_review
from akslocal.webhook.tlsfiles import CLIENT_ORG, WebhookTls

MAX_BODY = 2 * 1024 * 1024  # a 1 MB token still gets its reason; bigger bodies are cut off
_HEADERS = {"X-Content-Type-Options": "nosniff"}


def _plain(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status, headers=_HEADERS)


def client_organization(der: bytes | None) -> str | None:
    if not der:
        return None
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    orgs = x509.load_der_x509_certificate(der).subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(orgs[0].value) if orgs else ""


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def build_app(authenticator: Authenticator) -> Starlette:
    from akslocal.server.tls import client_cert_der

    async def tokenreviews(request: Request) -> Response:
        org = client_organization(client_cert_der(request.scope))
        if org is None:
            return _plain(400, "Missing client certificate")
        if not org:
            return _plain(400, "Client certificate is missing organization")
        if org.lower() != CLIENT_ORG:
            return _plain(400, f"guard does not provide service for {org[:100]}")
        body = await read_body(request)
        if body is None:
            return _plain(413, "request body too large")
        try:
            api_version, token = parse_token_review(json.loads(body))
        except (ValueError, RecursionError, BadTokenReview) as exc:
            message = str(exc) if isinstance(exc, BadTokenReview) else "the body is not JSON"
            return _plain(400, f"Failed to decode TokenReview: {message}")
        status = await authenticator.review(token)
        return JSONResponse(token_review(api_version, status), headers=_HEADERS)

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")

    async def healthz(request: Request) -> Response:
        return _plain(200, "ok")

    app = Starlette(routes=[
        Route("/tokenreviews", tokenreviews, methods=["POST"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", healthz, methods=["GET"]),
    ])
    app.state.authenticator = authenticator
    return app


def uvicorn_config(app: Any, tls: WebhookTls, host: str, port: int, log_level: str = "info") -> Any:
    import uvicorn

    from akslocal.server.tls import PeerCertHttpToolsProtocol

    return uvicorn.Config(
        app, host=host, port=port,
        ssl_certfile=str(tls.server_cert), ssl_keyfile=str(tls.server_key),
        ssl_ca_certs=str(tls.ca), ssl_cert_reqs=ssl.CERT_REQUIRED,
        log_level=log_level, access_log=False, timeout_graceful_shutdown=2, lifespan="off",
        http=PeerCertHttpToolsProtocol,
    )


def serve(authenticator: Authenticator, tls: WebhookTls, host: str, port: int, log_level: str = "info") -> None:
    import uvicorn

    uvicorn.Server(uvicorn_config(build_app(authenticator), tls, host, port, log_level)).run()


def default_state_dir(data_dir: Path) -> Path:
    return data_dir / "webhook"
