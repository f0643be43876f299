"""Client-credentials tokens per second over HTTPS, against raw RS256 signing and oauth2-mock-server.

All in one run on one machine:

* raw     - ``SigningKey.sign`` (RSA-2048 PKCS#1 v1.5 + SHA-256) of a token-sized input with the
  very key the server signs with, loaded from the server's store: the ceiling, since every
  token costs one signature;
* akslocal - ``POST /<tenant>/oauth2/v2.0/token`` ``grant_type=client_credentials`` through a
  live ``akslocal start`` (one worker), keep-alive ``http.client`` HTTPS connections in threads;
* oauth2-mock-server - the npm package serving the same grant over HTTPS with the same TLS
  certificate, installed into a temporary directory (skipped when npm cannot install it).

Prints tokens/s and the ratios akslocal/raw (aim >= 0.6 per worker) and akslocal/mock
(aim >= 2.5).  Run: ``.venv/bin/python benchmarks/token_endpoint.py [--seconds 5] [--clients 4]``
"""

from __future__ import annotations

import argparse
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from akslocal.clock import FixedClock  # noqa: E402
from akslocal.identity.keys import KeyRing  # noqa: E402
from akslocal.store import open_store  # noqa: E402
from tests.support.live import LiveServer, free_port  # noqa: E402


def seed_app(data_dir: Path, port: int) -> tuple[str, str, str]:
    """Default tenant plus a confidential app with a secret and an identifier URI; (tenant, app id, secret)."""
    from tests.identity.seed import API_URI, seed

    s = seed(data_dir, port)
    assert API_URI
    return s.tenant_id, s.api_app_id, s.api_secret


def raw_signing_rate(data_dir: Path, seconds: float) -> float:
    store = open_store(f"sqlite:///{data_dir / 'akslocal.db'}")
    try:
        key = KeyRing(store, FixedClock()).active()
        data = b"x" * 900  # about the size of a v1 app-only token's header.payload
        count, deadline = 0, time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            key.sign(data)
            count += 1
        return count / (time.perf_counter() - start)
    finally:
        store.close()


def http_rate(url: str, path: str, form: dict[str, str], ca: str, seconds: float, clients: int) -> float:
    """Requests/s with keep-alive ``http.client`` connections in threads (a light client, so the
    server, not the load generator, is what is measured; the same client drives both servers)."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(url)
    body = urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Connection": "keep-alive"}
    context = ssl.create_default_context(cafile=ca)
    counts = [0] * clients
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=context, timeout=30)
        try:
            while time.perf_counter() < stop:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read()
                if response.status != 200 or b"access_token" not in text:
                    errors.append(text[:200].decode(errors="replace"))
                    return
                counts[i] += 1
        finally:
            conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(errors[0])
    return sum(counts) / elapsed


MOCK_SCRIPT = """
const { OAuth2Server } = require('oauth2-mock-server');
(async () => {
  const server = new OAuth2Server(process.argv[2], process.argv[3]);
  await server.issuer.keys.generate('RS256');
  await server.start(Number(process.argv[4]), '127.0.0.1');
  console.log('ready');
})();
"""


def mock_server_rate(tls_dir: Path, ca: str, seconds: float, clients: int) -> float | None:
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        print("oauth2-mock-server: skipped (npm/node not found)")
        return None
    work = Path(tempfile.mkdtemp(prefix="akslocal-o2m-"))
    try:
        install = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(work),
                                  "oauth2-mock-server@7"], capture_output=True, text=True, timeout=300)
        if install.returncode != 0:
            print(f"oauth2-mock-server: skipped (npm install failed: {install.stderr.strip()[:200]})")
            return None
        (work / "serve.js").write_text(MOCK_SCRIPT)
        port = free_port()
        proc = subprocess.Popen([node, str(work / "serve.js"), str(tls_dir / "server-key.pem"),
                                 str(tls_dir / "server.pem"), str(port)], cwd=work, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if "ready" not in line:
                print(f"oauth2-mock-server: skipped (did not start: {line.strip()[:200]})")
                return None
            form = {"grant_type": "client_credentials", "client_id": "bench", "client_secret": "bench",
                    "scope": "api://bench/.default"}
            return http_rate(f"https://127.0.0.1:{port}", "/token", form, ca, seconds, clients)
        finally:
            proc.terminate()
            proc.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="akslocal-bench-"))
    port = free_port()
    data_dir = base / "data"
    tenant, app_id, secret = seed_app(data_dir, port)
    server = LiveServer.start(data_dir, port=port)
    try:
        form = {"grant_type": "client_credentials", "client_id": app_id, "client_secret": secret,
                "scope": "api://akslocal-test-api/.default"}
        ca = str(server.ca_path)
        raw = raw_signing_rate(data_dir, args.seconds)
        ours = http_rate(server.url, f"/{tenant}/oauth2/v2.0/token", form, ca, args.seconds, args.clients)
        mock = mock_server_rate(data_dir / "tls", ca, args.seconds, args.clients)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(f"raw RS256 signing (same key):        {raw:9.1f} signatures/s")
    print(f"akslocal client_credentials (HTTPS): {ours:9.1f} tokens/s   ratio to raw signing: {ours / raw:.2f}")
    if mock:
        print(f"oauth2-mock-server (HTTPS):          {mock:9.1f} tokens/s   akslocal / mock: {ours / mock:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
