"""Where azlocal finds akslocal and keeps its own state.

Endpoint: ``$AKSLOCAL_ENDPOINT``, else the one saved at the last ``azlocal login``, else
``https://127.0.0.1:8443``. CA: ``$AKSLOCAL_CA_BUNDLE``, else ``<$AKSLOCAL_DATA_DIR or
~/.akslocal>/tls/ca.pem``. Config dir (like ``$AZURE_CONFIG_DIR``): ``$AKSLOCAL_CONFIG_DIR``,
else ``~/.akslocal/cli``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ENDPOINT = "https://127.0.0.1:8443"
CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
GRAPH_RESOURCE = "https://graph.microsoft.com"
ARM_RESOURCE = "https://management.core.windows.net/"


def config_dir() -> Path:
    configured = os.environ.get("AKSLOCAL_CONFIG_DIR")
    return Path(configured).expanduser() if configured else Path("~/.akslocal/cli").expanduser()


def data_dir() -> Path:
    configured = os.environ.get("AKSLOCAL_DATA_DIR")
    return Path(configured).expanduser() if configured else Path("~/.akslocal").expanduser()


def ca_bundle() -> Path | None:
    configured = os.environ.get("AKSLOCAL_CA_BUNDLE")
    if configured:
        return Path(configured).expanduser()
    default = data_dir() / "tls" / "ca.pem"
    return default if default.exists() else None


@dataclass(frozen=True)
class Settings:
    endpoint: str
    ca_path: Path | None
    config_dir: Path

    @property
    def graph_url(self) -> str:
        return self.endpoint + "/v1.0"

    @property
    def arm_url(self) -> str:
        return self.endpoint


def _saved() -> dict:
    path = config_dir() / "config.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def load() -> Settings:
    saved = _saved()
    endpoint = os.environ.get("AKSLOCAL_ENDPOINT") or saved.get("endpoint") or DEFAULT_ENDPOINT
    ca = ca_bundle()
    if ca is None and saved.get("caBundle"):
        ca = Path(saved["caBundle"])
    return Settings(endpoint=endpoint.rstrip("/"), ca_path=ca, config_dir=config_dir())


def save_endpoint(settings: Settings) -> None:
    """Remember the endpoint and CA of the last login, so later commands need no environment."""
    write_private_json(settings.config_dir / "config.json", {
        "endpoint": settings.endpoint,
        "caBundle": str(settings.ca_path) if settings.ca_path else None,
    })


def write_private_json(path: Path, data: object) -> None:
    """Write JSON readable only by its owner (tokens and secrets live in these files), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as stream:
        json.dump(data, stream, indent=2)
    os.replace(tmp, path)
