"""A real `akslocal start` in a subprocess, on a free loopback port, always stopped.

Use the ``live_server`` fixture (module-scoped, from tests/conftest.py) or
``LiveServer.start(tmp_path)`` directly when a test needs its own.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    data_dir: Path
    port: int
    process: subprocess.Popen
    banner: list[str] = field(default_factory=list)
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_path(self) -> Path:
        return self.data_dir / "tls" / "ca.pem"

    @property
    def control_key(self) -> str:
        from akslocal.server.control import control_key  # creates it when no control call was made yet

        return control_key(self.data_dir)

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for clients of this server (CLI, plugin, kubectl)."""
        env = dict(os.environ)
        env.update(
            AKSLOCAL_ENDPOINT=self.url,
            AKSLOCAL_CA_BUNDLE=str(self.ca_path),
            AKSLOCAL_DATA_DIR=str(self.data_dir),
            REQUESTS_CA_BUNDLE=str(self.ca_path),
            SSL_CERT_FILE=str(self.ca_path),
        )
        env.update(extra)
        return env

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=ssl.create_default_context(cafile=str(self.ca_path)), **kwargs)

    def advance_clock(self, seconds: float) -> None:
        with self.client() as client:
            client.post(
                "/_akslocal/clock",
                json={"advanceSeconds": seconds},
                headers={"X-Akslocal-Control-Key": self.control_key},
            ).raise_for_status()

    def banner_value(self, label: str) -> str:
        """The value after ``label`` in the start banner (e.g. 'Admin password:')."""
        for line in self.banner:
            if label in line:
                return line.split(label, 1)[1].strip().split()[0]
        raise KeyError(label)

    @classmethod
    def start(
        cls,
        data_dir: Path,
        *args: str,
        env: dict[str, str] | None = None,
        port: int | None = None,
        timeout: float = 30.0,
    ) -> LiveServer:
        data_dir.mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        log_path = data_dir.parent / f"{data_dir.name}-server.log"
        full_env = dict(os.environ)
        full_env.setdefault("AKSLOCAL_ADMIN_PASSWORD", "Adm1n-Passw0rd!")
        full_env.setdefault("AKSLOCAL_OPERATION_DELAY", "0")
        full_env.update(env or {})
        log = log_path.open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "akslocal.server.main",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                *args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
        )
        server = cls(data_dir=data_dir, port=port, process=process, log_path=log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"akslocal exited with {process.returncode}:\n{log_path.read_text()}")
            if server.ca_path.exists():
                try:
                    context = ssl.create_default_context(cafile=str(server.ca_path))
                    with urllib.request.urlopen(f"{server.url}/health", context=context, timeout=2):
                        server.banner = log_path.read_text().splitlines()
                        return server
                except OSError:
                    pass
            time.sleep(0.05)
        server.stop()
        raise RuntimeError(f"akslocal did not start in {timeout}s:\n{log_path.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path else ""
