"""Whole-file writes that readers never see half done: a temp file beside the target, renamed over it.

Every process that rewrites a shared file (TLS files, ``clock.json``, kubelogin's token cache,
a kubeconfig being converted) goes through :func:`write_atomic`, so two writers at once each
use a temp file of their own and the last rename wins.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str, *, mode: int = 0o644, fsync: bool = True) -> None:
    """Replace ``path`` with ``text`` (UTF-8), created with ``mode``; the temp file is removed on failure."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
