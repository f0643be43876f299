"""The webhook's hot path, each against a baseline in the same run.

1. In process, distinct valid tokens (every review uncached: one signature check each) against a
   minimal RS256 check of the same tokens written directly on ``cryptography`` (split, decode,
   verify, exp/aud/iss) — aim >= 0.7; PyJWT's ``decode`` shown for comparison. Then the same
   tokens again, from the result cache (aim >= 100,000 reviews/s).
2. Over HTTPS with keep-alive (the standalone listener, client certificate, uvicorn), against a
   trivial endpoint taking the same body on the same server stack: cached aim >= 0.7 of it,
   uncached >= 0.4.

Run: ``.venv/bin/python benchmarks/tokenreview.py [--tokens 2000] [--requests 1500]``
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SERVER_APP = "11111111-2222-3333-4444-555555555555"
KID = "bench-kid"
ROUNDS = 7


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(key: rsa.RSAPrivateKey, count: int, now: float) -> list[str]:
    header = b64(json.dumps({"typ": "JWT", "alg": "RS256", "kid": KID, "x5t": KID}).encode())
    tokens = []
    for i in range(count):
        claims = {"aud": f"spn:{SERVER_APP}", "iss": f"https://sts.windows.net/{TENANT}/", "iat": int(now),
                  "nbf": int(now), "exp": int(now) + 3600, "appid": "66666666-7777-8888-9999-000000000000",
                  "name": f"User {i}", "oid": f"{i:08d}-0000-0000-0000-000000000000", "scp": "user_impersonation",
                  "tid": TENANT, "upn": f"user{i}@contoso.onmicrosoft.com", "ver": "1.0",
                  "groups": [f"{g:08d}-1111-1111-1111-111111111111" for g in range(5)], "uti": f"u{i}"}
        signing_input = f"{header}.{b64(json.dumps(claims).encode())}"
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        tokens.append(f"{signing_input}.{b64(signature)}")
    return tokens


def minimal_check(public_key: rsa.RSAPublicKey, token: str, now: float) -> dict:
    """The baseline: the least a correct RS256 check does."""
    h, p, s = token.split(".")
    json.loads(base64.urlsafe_b64decode(h + "=="))
    claims = json.loads(base64.urlsafe_b64decode(p + "=="))
    public_key.verify(base64.urlsafe_b64decode(s + "=="), f"{h}.{p}".encode(), padding.PKCS1v15(), hashes.SHA256())
    if claims["exp"] < now or claims["aud"] != f"spn:{SERVER_APP}" or claims["iss"] != f"https://sts.windows.net/{TENANT}/":
        raise ValueError("invalid")
    return claims


def rate(fn, items: list) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


def in_process(key: rsa.RSAPrivateKey, count: int) -> None:
    import jwt

    from akslocal.clock import FixedClock
    from akslocal.webhook.config import WebhookConfig
    from akslocal.webhook.keys import StaticKeySet
    from akslocal.webhook.review import Authenticator

    now = time.time()
    tokens = mint(key, count, now)
    public = key.public_key()
    config = WebhookConfig(tenant_id=TENANT, mode="legacy", server_app_id=SERVER_APP, server_app_secret="x")
    def verify_pyjwt(t: str) -> None:
        jwt.decode(t, public, algorithms=["RS256"], audience=f"spn:{SERVER_APP}",
                   issuer=f"https://sts.windows.net/{TENANT}/")

    async def one_round() -> tuple[float, float, float, float]:
        """Baseline, PyJWT and our review take turns on chunks of 50 tokens, so that the load of a
        shared machine falls on all three alike; then the cached pass over the same tokens."""
        auth = Authenticator(config, StaticKeySet({KID: public}), FixedClock(now))
        spent = [0.0, 0.0, 0.0]
        for i in range(0, len(tokens), 50):
            chunk = tokens[i:i + 50]
            start = time.perf_counter()
            for t in chunk:
                minimal_check(public, t, now)
            spent[0] += time.perf_counter() - start
            start = time.perf_counter()
            for t in chunk:
                verify_pyjwt(t)
            spent[1] += time.perf_counter() - start
            start = time.perf_counter()
            for t in chunk:
                status = await auth.review(t)
                assert status["authenticated"], status
            spent[2] += time.perf_counter() - start
        start = time.perf_counter()
        for t in tokens * 10:
            await auth.review(t)
        cached_rate = len(tokens) * 10 / (time.perf_counter() - start)
        return len(tokens) / spent[0], len(tokens) / spent[1], len(tokens) / spent[2], cached_rate

    # Ratios are taken per round and the median is printed.
    rounds = [asyncio.run(one_round()) for _ in range(ROUNDS)]
    baseline, pyjwt, uncached, cached = (statistics.median(r[i] for r in rounds) for i in range(4))
    ratio_py = statistics.median(r[1] / r[0] for r in rounds)
    ratio_uncached = statistics.median(r[2] / r[0] for r in rounds)
    print("in process (distinct valid tokens):")
    print(f"  minimal RS256 check      {baseline:10,.0f} /s   1.00")
    print(f"  PyJWT decode             {pyjwt:10,.0f} /s   {ratio_py:.2f}")
    print(f"  review, uncached         {uncached:10,.0f} /s   {ratio_uncached:.2f}   (aim >= 0.70)")
    print(f"  review, cached           {cached:10,.0f} /s   {cached / baseline:.2f}   (aim >= 100,000/s)")


def serve(state: str, key_pem: str, port: int) -> None:
    """The subprocess side: the standalone listener plus a trivial endpoint on the same app."""
    import uvicorn
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from akslocal.webhook.config import WebhookConfig
    from akslocal.webhook.keys import StaticKeySet
    from akslocal.webhook.review import Authenticator, SystemClock
    from akslocal.webhook.server import build_app, read_body, uvicorn_config
    from akslocal.webhook.tlsfiles import ensure_tls

    key = serialization.load_pem_private_key(Path(key_pem).read_bytes(), None)
    config = WebhookConfig(tenant_id=TENANT, mode="legacy", server_app_id=SERVER_APP, server_app_secret="x")
    app = build_app(Authenticator(config, StaticKeySet({KID: key.public_key()}), SystemClock()))

    async def trivial(request: Request) -> JSONResponse:
        body = json.loads(await read_body(request) or b"{}")
        return JSONResponse({"apiVersion": body.get("apiVersion"), "kind": "TokenReview",
                             "status": {"authenticated": False}})

    app.router.routes.append(Route("/trivial", trivial, methods=["POST"]))
    uvicorn.Server(uvicorn_config(app, ensure_tls(Path(state), []), "127.0.0.1", port, "warning")).run()


def over_https(key: rsa.RSAPrivateKey, requests: int) -> None:
    import httpx

    from akslocal.webhook.tlsfiles import ensure_tls
    from tests.support.live import free_port

    with tempfile.TemporaryDirectory() as tmp:
        key_pem = Path(tmp) / "key.pem"
        key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        tls = ensure_tls(Path(tmp) / "state", [])
        port = free_port()
        process = subprocess.Popen([sys.executable, __file__, "--serve", str(tls.directory), str(key_pem), str(port)],
                                   env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1])))
        try:
            context = ssl.create_default_context(cafile=str(tls.ca))
            context.load_cert_chain(str(tls.client_cert), str(tls.client_key))
            with httpx.Client(verify=context, base_url=f"https://127.0.0.1:{port}") as client:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        client.get("/healthz")
                        break
                    except httpx.TransportError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.1)
                bodies = [json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                      "spec": {"token": t}}).encode() for t in mint(key, 1, time.time())]

                def post(path: str, items: list[bytes]) -> float:
                    start = time.perf_counter()
                    for body in items:
                        client.post(path, content=body, headers={"Content-Type": "application/json"})
                    return len(items) / (time.perf_counter() - start)

                rounds = []
                for _ in range(ROUNDS):  # each round: new tokens (uncached), then the same again (cached)
                    round_bodies = [json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                                "spec": {"token": t}}).encode()
                                    for t in mint(key, requests, time.time())]
                    rounds.append((post("/trivial", round_bodies), post("/tokenreviews", round_bodies),
                                   post("/tokenreviews", round_bodies)))
                assert client.post("/tokenreviews", content=bodies[0]).json()["status"]["authenticated"]
        finally:
            process.terminate()
            process.wait(10)
    trivial, uncached, cached = (statistics.median(r[i] for r in rounds) for i in range(3))
    ratio_uncached = statistics.median(r[1] / r[0] for r in rounds)
    ratio_cached = statistics.median(r[2] / r[0] for r in rounds)
    print("over HTTPS with keep-alive (one client, sequential):")
    print(f"  trivial endpoint         {trivial:10,.0f} /s   1.00")
    print(f"  tokenreviews, uncached   {uncached:10,.0f} /s   {ratio_uncached:.2f}   (aim >= 0.40)")
    print(f"  tokenreviews, cached     {cached:10,.0f} /s   {ratio_cached:.2f}   (aim >= 0.70)")


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    in_process(key, args.tokens)
    over_https(key, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
