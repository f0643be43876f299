"""Client-credentials tokens per second over HTTPS, against raw RS256 signing and oauth2-mock-server.

All in one run on one machine:

* raw     - ``SigningKey.sign`` (RSA-2048 PKCS#1 v1.5 + SHA-256) of a token-sized input with the
  very key the server signs with, loaded from the server's store: the ceiling, since every
  token costs one signature;
* akslocal - ``POST /<tenant>/oauth2/v2.0/token`` ``grant_type=client_credentials`` through a
  live ``akslocal start``: one worker, and ``--workers N`` (default: the number of cores) on a
  copy of the same data dir;
* oauth2-mock-server - the npm package serving the same grant over HTTPS with the same TLS
  certificate, installed into a temporary directory (skipped when npm cannot install it).

The load generator is wrk (``make bench`` installs it), which leaves the server the cores;
``--load python`` uses keep-alive ``http.client`` connections in threads instead.

Prints tokens/s and the ratios akslocal/raw per worker (aim >= 0.6) and akslocal/mock
(aim >= 2.5).  Run: ``.venv/bin/python benchmarks/token_endpoint.py [--seconds 3] [--rounds 3] [--workers 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
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


def wrk_rate(url: str, path: str, form: dict[str, str], seconds: float, connections: int) -> float:
    """Requests/s from wrk (Debian's, written in C): on a 2-core machine a Python load generator takes
    most of a core from the server it measures; wrk leaves the server its core.  Any non-2xx answer
    fails the run, so only issued tokens are counted."""
    from urllib.parse import urlencode

    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(urlencode(form))}\n"
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        )
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script),
                              url + path], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors from {url}{path}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


MOCK_SCRIPT = """
const { OAuth2Server } = require('oauth2-mock-server');
(async () => {
  const server = new OAuth2Server(process.argv[2], process.argv[3]);
  await server.issuer.keys.generate('RS256');
  await server.start(Number(process.argv[4]), '127.0.0.1');
  console.log('ready');
})();
"""


class MockServer:
    """oauth2-mock-server installed into a temporary directory and run with our TLS certificate."""

    def __init__(self, tls_dir: Path) -> None:
        self.tls_dir = tls_dir
        self.work = Path(tempfile.mkdtemp(prefix="akslocal-o2m-"))
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None

    def start(self) -> str | None:
        """The server's URL, or None (with the reason printed) when it cannot run here."""
        npm, node = shutil.which("npm"), shutil.which("node")
        if not npm or not node:
            print("oauth2-mock-server: skipped (npm/node not found)")
            return None
        install = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(self.work),
                                  "oauth2-mock-server@7"], capture_output=True, text=True, timeout=300)
        if install.returncode != 0:
            print(f"oauth2-mock-server: skipped (npm install failed: {install.stderr.strip()[:200]})")
            return None
        (self.work / "serve.js").write_text(MOCK_SCRIPT)
        port = free_port()
        self.proc = subprocess.Popen([node, str(self.work / "serve.js"), str(self.tls_dir / "server-key.pem"),
                                      str(self.tls_dir / "server.pem"), str(port)], cwd=self.work,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "ready" not in line:
            print(f"oauth2-mock-server: skipped (did not start: {line.strip()[:200]})")
            return None
        self.url = f"https://127.0.0.1:{port}"
        return self.url

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.work, ignore_errors=True)


MOCK_FORM = {"grant_type": "client_credentials", "client_id": "bench", "client_secret": "bench",
             "scope": "api://bench/.default"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best of each is kept)")
    parser.add_argument("--clients", type=int, default=2, help="threads of the python load generator")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections of wrk")
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4),
                        help="akslocal workers of the second measurement (1: skip it)")
    parser.add_argument("--load", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="load generator (default wrk when installed: `make bench` installs it)")
    args = parser.parse_args()

    def rate(url: str, path: str, form: dict[str, str], ca: str) -> float:
        if args.load == "wrk":
            return wrk_rate(url, path, form, args.seconds, args.connections)
        return http_rate(url, path, form, ca, args.seconds, args.clients)

    base = Path(tempfile.mkdtemp(prefix="akslocal-bench-"))
    port = free_port()
    data_dir = base / "data"
    tenant, app_id, secret = seed_app(data_dir, port)
    shutil.copytree(data_dir, base / "data-workers")
    server = LiveServer.start(data_dir, port=port)
    pool = LiveServer.start(base / "data-workers", "--workers", str(args.workers)) if args.workers > 1 else None
    mock = MockServer(data_dir / "tls")
    raw = ours = many = theirs = 0.0
    try:
        form = {"grant_type": "client_credentials", "client_id": app_id, "client_secret": secret,
                "scope": "api://akslocal-test-api/.default"}
        path = f"/{tenant}/oauth2/v2.0/token"
        ca = str(server.ca_path)
        mock_url = mock.start()
        # Interleaved rounds, best of each: the machine is shared, so a single pass mostly measures noise.
        for _ in range(args.rounds):
            raw = max(raw, raw_signing_rate(data_dir, args.seconds))
            ours = max(ours, rate(server.url, path, form, ca))
            if pool is not None:
                many = max(many, rate(pool.url, path, form, ca))
            if mock_url:
                theirs = max(theirs, rate(mock_url, "/token", MOCK_FORM, ca))
    finally:
        mock.stop()
        server.stop()
        if pool is not None:
            pool.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(f"load generator: {args.load}, {os.cpu_count()} cores")
    print(f"raw RS256 signing (same key):        {raw:9.1f} signatures/s")
    rows = [(1, ours)] + ([(args.workers, many)] if pool is not None else [])
    for workers, value in rows:
        label = f"akslocal, {workers} worker{'s' if workers > 1 else ''}:"
        line = f"{label:<37}{value:9.1f} tokens/s   per worker / raw signing: {value / workers / raw:.2f}"
        if theirs:
            line += f"   akslocal / mock: {value / theirs:.2f}"
        print(line)
    if theirs:
        print(f"oauth2-mock-server (HTTPS):          {theirs:9.1f} tokens/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
