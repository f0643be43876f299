"""The token cache: one file per (environment, server id, client id, tenant, legacy).

The file name and contents follow kubelogin ≤ 0.1.9 (adal's Token JSON, numbers as strings):
``<cache dir>/<environment>-<server id>-<client id>-<tenant id>[_legacy].json``.  Unlike it,
writes happen under a file lock (``<file>.lock``) and the whole get-token runs inside that
lock once the cache misses, so ten kubectl processes started together sign in once: the
first signs in, the others wait, then find its token.  Files are mode 0600 and replaced
atomically (write a temporary file, fsync, rename), so a reader never sees half a token.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akslocal.atomicfile import write_atomic
from akslocal.kubelogin.errors import KubeloginError

REUSE_MARGIN = 60.0  # seconds a cached token must still be valid (kubelogin, adal)
MAX_LIFETIME = 86400.0  # a longer (or non-finite) expires_in from a service is taken as this
_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


def lifetime(value: object, default: float = 3600.0) -> float:
    """A service's ``expires_in`` (int or v1's string) as seconds in [0, MAX_LIFETIME]."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    if seconds != seconds:  # NaN
        return 0.0
    return min(max(seconds, 0.0), MAX_LIFETIME)


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_on: float  # emulator time (epoch seconds)
    resource: str
    refresh_token: str = ""
    token_type: str = "Bearer"

    def usable(self, resource: str, now: float) -> bool:
        return self.resource == resource and self.expires_on - now > REUSE_MARGIN and bool(self.access_token)

    def to_json(self, now: float) -> dict[str, str]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "expires_in": str(max(0, int(self.expires_on - now))), "expires_on": str(int(self.expires_on)),
                "not_before": str(int(now)), "resource": self.resource, "token_type": self.token_type}

    @classmethod
    def from_json(cls, doc: Any) -> Token | None:
        if not isinstance(doc, dict):
            return None
        try:
            expires_on = float(doc["expires_on"])
            if not math.isfinite(expires_on):
                return None
            return cls(access_token=str(doc["access_token"]), expires_on=expires_on,
                       resource=str(doc["resource"]), refresh_token=str(doc.get("refresh_token") or ""),
                       token_type=str(doc.get("token_type") or "Bearer"))
        except (KeyError, TypeError, ValueError):
            return None


def cache_file_name(environment: str, server_id: str, client_id: str, tenant_id: str, legacy: bool) -> str:
    # Values come from kubeconfigs: keep them from naming a path outside the cache dir.
    parts = [_UNSAFE.sub("_", p) for p in (environment, server_id, client_id, tenant_id)]
    return "-".join(parts) + ("_legacy" if legacy else "") + ".json"


class TokenCache:
    def __init__(self, directory: str | Path, name: str) -> None:
        self.directory = Path(directory).expanduser()
        self.path = self.directory / name

    def load(self) -> Token | None:
        """The cached token, or None (missing, unreadable or not a token: treated as empty)."""
        try:
            return Token.from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def lock(self, timeout: float):
        """An exclusive inter-process lock for this cache entry (a context manager)."""
        from filelock import FileLock

        self._ensure_dir()
        return FileLock(str(self.path) + ".lock", timeout=timeout, mode=0o600)

    def save(self, token: Token, now: float) -> None:
        self._ensure_dir()
        write_atomic(self.path, json.dumps(token.to_json(now)), mode=0o600)

    def delete(self) -> None:
        try:
            self.path.unlink()
        except OSError:  # already gone, or not ours to remove: the next save replaces it anyway
            pass

    def _ensure_dir(self) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as err:
            raise KubeloginError(f"cannot create the token cache directory {self.directory}: {err}") from err


def remove_cache_dir(directory: str | Path) -> bool:
    """``remove-cache-dir``: delete the whole cache directory; False when there was none."""
    path = Path(directory).expanduser()
    if not path.exists():
        return False
    try:
        shutil.rmtree(path)
    except OSError as err:
        raise KubeloginError(f"cannot remove {path}: {err}") from err
    return True
