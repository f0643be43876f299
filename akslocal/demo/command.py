"""`akslocal demo`: play the seed document against a running akslocal."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

from akslocal.server.settings import default_data_dir

ADMIN_UPN = "admin@akslocal.onmicrosoft.com"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="Run the seed document's walkthrough against a running akslocal, with narration.")
    p.add_argument("--data-dir", type=Path, default=None, help="the running server's data dir (default ~/.akslocal)")
    p.add_argument("--endpoint", default=None, help="akslocal's URL (default: the running server's)")
    p.add_argument("--admin-password", default=None,
                   help="the Global Administrator's password (default $AKSLOCAL_ADMIN_PASSWORD or the data dir's "
                        "initial-admin-password)")
    p.add_argument("--workdir", type=Path, default=None, help="where kubeconfig and CLI state go (default: a temp dir)")
    p.set_defaults(func=run)


def story_path() -> Path:
    return Path(str(resources.files("akslocal.demo") / "seed.sh"))


def demo_env(data_dir: Path, endpoint: str, password: str, workdir: Path) -> dict[str, str]:
    """The environment the story runs in: a fresh HOME so kubeconfig, token caches and CLI state are its own."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env.update(
        HOME=str(workdir),
        PATH=bin_dir + os.pathsep + env.get("PATH", ""),
        AKSLOCAL_ENDPOINT=endpoint,
        AKSLOCAL_DATA_DIR=str(data_dir),
        AKSLOCAL_CA_BUNDLE=str(data_dir / "tls" / "ca.pem"),
        REQUESTS_CA_BUNDLE=str(data_dir / "tls" / "ca.pem"),
        AKSLOCAL_CONFIG_DIR=str(workdir / ".akslocal-cli"),
        KUBECONFIG=str(workdir / ".kube" / "config"),
        ADMIN_UPN=ADMIN_UPN,
        ADMIN_PASSWORD=password,
    )
    env.pop("KUBECACHEDIR", None)
    return env


def run(args: argparse.Namespace) -> int:
    data_dir = (args.data_dir or default_data_dir()).expanduser().resolve()
    state = data_dir / "server.json"
    endpoint = args.endpoint or os.environ.get("AKSLOCAL_ENDPOINT")
    if endpoint is None:
        if not state.exists():
            print(f"akslocal is not running on {data_dir}: start it first (make run, or akslocal start).",
                  file=sys.stderr)
            return 1
        endpoint = json.loads(state.read_text())["url"]
    password = args.admin_password or os.environ.get("AKSLOCAL_ADMIN_PASSWORD")
    initial = data_dir / "initial-admin-password"
    if not password and initial.exists():
        password = initial.read_text().strip()
    if not password:
        print("The admin password is needed: pass --admin-password or set AKSLOCAL_ADMIN_PASSWORD.", file=sys.stderr)
        return 2
    for tool in ("kubectl", "bash"):
        if shutil.which(tool) is None:
            print(f"{tool} is not on PATH.", file=sys.stderr)
            return 1
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="akslocal-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"Playing the seed document against {endpoint} (state in {workdir}).", flush=True)
    result = subprocess.run(["bash", str(story_path())], cwd=workdir, env=demo_env(data_dir, endpoint, password,
                                                                                   workdir))
    if result.returncode == 0:
        print("\nDone: that was the whole document, against akslocal.")
    return result.returncode
