"""Running azlocal as a user does: a subprocess with its own config dir and HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class AzLocal:
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AKSLOCAL_", "AZLOCAL_", "KUBECONFIG"))}
        env.update(self.env)
        env["HOME"] = str(self.home)
        env["AKSLOCAL_CONFIG_DIR"] = str(self.home / ".akslocal-cli")
        env.setdefault("KUBECONFIG", str(self.home / ".kube" / "config"))
        return env

    def __call__(self, *args: str, check: bool = True, input: str | None = None,
                 timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "akslocal.cli.main", *args], capture_output=True, text=True,
                                env=self.environment(), input=input, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"azlocal {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n"
                                 f"{result.stderr}")
        return result

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "-o", "json").stdout)

    def shell(self, script: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run shell text (the seed's commands) with ``azlocal`` on PATH."""
        env = self.environment()
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, env=env,
                                cwd=self.home, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"script failed ({result.returncode}):\n{script}\n--- stdout\n{result.stdout}\n"
                                 f"--- stderr\n{result.stderr}")
        return result
