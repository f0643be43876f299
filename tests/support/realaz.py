"""The unmodified Azure CLI from PyPI, in its own cached virtual environment.

It is kept outside the project's venv (``~/.cache/akslocal/azure-cli-<version>``, or
``$AKSLOCAL_AZ_VENV``) so azure-cli's pins never disturb ours; the first run installs it
(a minute or two), later runs reuse it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

AZ_VERSION = "2.91.0"


def az_venv() -> Path:
    default = Path("~/.cache/akslocal").expanduser() / f"azure-cli-{AZ_VERSION}"
    return Path(os.environ.get("AKSLOCAL_AZ_VENV", default))


def ensure_az() -> Path:
    venv = az_venv()
    az = venv / "bin" / "az"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(venv) + ".lock"):  # xdist workers share one install
        if not az.exists():
            python = os.environ.get("AKSLOCAL_AZ_PYTHON", str(Path(sys.base_prefix) / "bin" / "python3"))
            subprocess.run([python, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"azure-cli=={AZ_VERSION}"], check=True,
                           timeout=1800)
    return az


@dataclass
class Az:
    """Runs the real `az` with an isolated AZURE_CONFIG_DIR against one akslocal server."""

    executable: Path
    env: dict[str, str]

    def __call__(self, *args: str, check: bool = True, timeout: float = 180, **kwargs) -> subprocess.CompletedProcess:
        result = subprocess.run([str(self.executable), *args], capture_output=True, text=True, env=self.env,
                                timeout=timeout, **kwargs)
        if check and result.returncode != 0:
            raise AssertionError(f"az {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result
