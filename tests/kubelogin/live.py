"""Shared set-up for the live plugin tests: one akslocal, people from a fixture, the seed's legacy cluster."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from akslocal.clock import read_clock_offset
from tests.support.cluster_flow import BIN, KubectlUser, SeedCluster, serve_with_fixture, set_up_cluster
from tests.support.live import LiveServer

DOMAIN = "akslocal.onmicrosoft.com"
PEOPLE = {name: (f"{name}@{DOMAIN}", f"{name.capitalize()}-Passw0rd!") for name in
          ("alice", "bob", "carol", "dave", "erin", "frank")}
FIXTURE = "tenants:\n  - domain: default\n    users:\n" + "".join(
    f"      - upn: {upn}\n        displayName: {upn.split('@')[0]}\n        password: {pw}\n"
    + ("        groups: [kubelogin-admins]\n" if upn.startswith(("erin", "frank")) else "")
    for upn, pw in PEOPLE.values())
POD_ROW = re.compile(r"^kube-system\s+coredns-\S+\s+1/1\s+Running", re.M)
MANAGED = "managedkl"


def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve_with_fixture(tmp_path_factory, "kubelogin-live", FIXTURE)


def build_cluster(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> SeedCluster:
    made = set_up_cluster(server, tmp_path_factory.mktemp("admin"), "klcluster")
    for name in ("alice", "bob", "carol", "dave"):
        made.bind_cluster_admin(f"kl-{name}", "User", PEOPLE[name][0])
    return made


def build_managed(cluster: SeedCluster) -> str:
    group = cluster.tsv("ad", "group", "show", "--group", "kubelogin-admins", "--query", "id")
    cluster.azlocal("aks", "create", "-g", cluster.resource_group, "-n", MANAGED, "--enable-aad",
                    "--aad-admin-group-object-ids", group, "--node-count", "1", "--no-ssh-key", "-o", "none")
    return group


def signins(server: LiveServer, upn: str | None = None) -> list[dict]:
    """The token service's sign-in log (every sign-in and every token issued or refused), oldest first."""
    from akslocal.server.control import control_key

    with server.client() as client:
        r = client.get("/_akslocal/signins", params={"top": "1000"},
                       headers={"X-Akslocal-Control-Key": control_key(server.data_dir)})
    r.raise_for_status()
    entries = list(reversed(r.json()["value"]))  # the API lists newest first
    return [e for e in entries if upn is None or (e.get("userPrincipalName") or "").lower() == upn]


def emulator_now(server: LiveServer) -> float:
    """The emulator clock's now: the wall clock plus the offset the control plane keeps."""
    return time.time() + read_clock_offset(server.data_dir)


def cache_files(person: KubectlUser) -> list[Path]:
    return sorted(p for p in person.token_cache.glob("*.json"))


def sign_in_answer(person: KubectlUser, name: str):
    upn, password = PEOPLE[name]

    def answer(page: str, code: str) -> None:
        done = subprocess.run([str(BIN / "akslocal"), "devicelogin", "--code", code, "--username", upn,
                               "--password", password], capture_output=True, text=True, env=person.env(), timeout=60)
        assert done.returncode == 0, f"akslocal devicelogin failed:\n{done.stdout}\n{done.stderr}"

    return answer


def run_together(
    argv: list[str], env: dict[str, str], answer: Callable[[str, str], None], *, who: str, count: int = 10,
    cwd: Path | None = None,
) -> tuple[list[int], list[str], list[list[str]], list[tuple[str, str]]]:
    """Start ``count`` copies of ``argv`` at once, answer the first device-code prompt seen on any
    stderr with ``answer(page, code)``, and wait for them all.

    Returns each process's return code, its stdout and its stderr lines, and every prompt seen.
    """
    from tests.support.cluster_flow import PROMPT

    processes = [subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
                 for _ in range(count)]
    errs: list[list[str]] = [[] for _ in processes]
    prompts: list[tuple[str, str]] = []
    seen = threading.Event()

    def read(i: int, process: subprocess.Popen) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            errs[i].append(line)
            match = PROMPT.search(line)
            if match:
                prompts.append((match.group(1), match.group(2)))
                seen.set()

    readers = [threading.Thread(target=read, args=(i, p), daemon=True) for i, p in enumerate(processes)]
    for reader in readers:
        reader.start()
    try:
        assert seen.wait(120), f"no {who} prompted"
        answer(*prompts[0])
        outs = [p.communicate(timeout=180)[0] for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
    for reader in readers:
        reader.join(10)
    return [p.returncode for p in processes], outs, errs, prompts


def exec_entry(kubeconfig: Path) -> dict:
    import yaml

    return yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]["exec"]


def run_exec_entry(person: KubectlUser, *, answer=None, api_version: str | None = None,
                   extra_env: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, str, str, list]:
    """Run the kubeconfig's exec entry as kubectl does (its env added, KUBERNETES_EXEC_INFO set).

    A device-code prompt on stderr is answered with ``answer(page, code)``; without one it fails the test.
    """
    import json

    from tests.support.cluster_flow import PROMPT

    exec_ = exec_entry(person.kubeconfig)
    env = person.env()
    env.update({e["name"]: e["value"] for e in exec_.get("env") or []})
    env.update(extra_env or {})
    env["KUBERNETES_EXEC_INFO"] = json.dumps({"kind": "ExecCredential", "apiVersion": api_version
                                              or exec_["apiVersion"], "spec": {"interactive": False}})
    process = subprocess.Popen([str(BIN / exec_["command"]), *exec_["args"]], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    err: list[str] = []
    prompts: list[tuple[str, str]] = []
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(process.stdout.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        assert process.stderr is not None
        for line in process.stderr:
            err.append(line)
            match = PROMPT.search(line)
            if match:
                prompts.append((match.group(1), match.group(2)))
                if answer is None:
                    raise AssertionError(f"the plugin prompted for a sign-in: {line}")
                answer(*prompts[-1])
        process.wait(timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
    reader.join(10)
    return process.returncode, "".join(out), "".join(err), prompts
