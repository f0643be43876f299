"""Where akslocal runs and keeps its data."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8443


def default_data_dir() -> Path:
    return Path(os.environ.get("AKSLOCAL_DATA_DIR", "~/.akslocal")).expanduser()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    database_url: str | None = None
    # Seconds a managed cluster's PUT/DELETE stays in progress (0 in tests).
    operation_delay: float = 1.0

    @property
    def public_url(self) -> str:
        """The edge's base URL, as clients reach it (no trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        return f"https://{host}:{self.port}" if self.port != 443 else f"https://{host}"

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'akslocal.db'}"

    @property
    def ca_path(self) -> Path:
        return self.data_dir / "tls" / "ca.pem"
