"""The seed document, end to end: its script runs against a fresh `akslocal start` with the real kubectl.

The script is ``akslocal/demo/seed.sh`` — the same file `akslocal demo` plays — and the
first test checks that it holds every command of the document, verbatim (az → azlocal),
in the document's order.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from akslocal.demo.command import ADMIN_UPN, demo_env, story_path
from tests.support.live import LiveServer
from tests.support.seed import binding_manifest, seed_commands, seed_text, to_azlocal

PASSWORD = "Adm1n-Passw0rd!"
# The document's sample output, header and one row: NAMESPACE NAME READY STATUS RESTARTS AGE
POD_ROW = re.compile(r"^kube-system\s+coredns-[a-z0-9]+-[a-z0-9]{5}\s+1/1\s+Running\s+0\s+\S+$", re.M)
HEADER = re.compile(r"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$", re.M)


def test_the_story_holds_every_seed_command_in_order() -> None:
    story = story_path().read_text()
    position = 0
    for command in seed_commands():
        expected = to_azlocal(command)
        found = story.find(expected, position)
        assert found >= 0, f"the story lacks, or reorders, the seed command:\n{expected}"
        position = found + len(expected)


def test_the_story_binding_is_the_documents_manifest() -> None:
    """The document's YAML lost its indentation; the story's has it back, line for line."""
    document = seed_text().splitlines()
    start = document.index("apiVersion: rbac.authorization.k8s.io/v1")
    expected = document[start:start + 12]
    restored = binding_manifest("userPrincipalName_or_objectId")
    assert [line.strip().removeprefix("- ") for line in restored.splitlines()] == \
        [line.strip().removeprefix("- ") for line in expected]
    assert yaml.safe_load(restored)["subjects"][0]["name"] == "userPrincipalName_or_objectId"


@pytest.mark.slow
def test_seed_document_runs_end_to_end(tmp_path: Path) -> None:
    server = LiveServer.start(tmp_path / "data")
    try:
        workdir = tmp_path / "work"
        workdir.mkdir()
        env = demo_env(server.data_dir, server.url, PASSWORD, workdir)
        result = subprocess.run(["bash", str(story_path())], cwd=workdir, env=env, capture_output=True, text=True,
                                timeout=600)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output + "\n--- server log ---\n" + server.log()
        # The device-code prompt, exactly as Entra words it, naming our verification page.
        assert re.search(
            rf"To sign in, use a web browser to open the page {re.escape(server.url)}/devicelogin "
            r"and enter the code [A-Z0-9]{9} to authenticate\.", output)
        assert len(HEADER.findall(result.stdout)) == 2, result.stdout
        assert POD_ROW.search(result.stdout), result.stdout
        assert output.count("To sign in") == 1, "the second kubectl call must use the cached token"
        assert f"{ADMIN_UPN}" in result.stdout
        assert 'Merged "myakscluster-admin" as current context' in output
        assert 'Merged "myakscluster" as current context' in output
        assert "clusterrolebinding.rbac.authorization.k8s.io/contoso-cluster-admins created" in result.stdout
        assert '"managed": false' in result.stdout or '"managed": null' in result.stdout
    finally:
        server.stop()


def test_demo_refuses_without_a_server(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "akslocal.server.main", "demo", "--data-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert "akslocal is not running" in result.stderr


@pytest.mark.slow
def test_akslocal_demo_after_a_plain_start(tmp_path: Path) -> None:
    """As after `make run`: a generated admin password, and `akslocal demo` in a second terminal finds it all."""
    server = LiveServer.start(tmp_path / "data", env={"AKSLOCAL_ADMIN_PASSWORD": ""})
    try:
        generated = server.banner_value("Admin password:")
        kept = server.data_dir / "initial-admin-password"
        assert kept.read_text().strip() == generated and oct(kept.stat().st_mode & 0o777) == "0o600"
        env = {k: v for k, v in server.env().items() if not k.startswith("AKSLOCAL_") and k != "KUBECONFIG"}
        result = subprocess.run([sys.executable, "-m", "akslocal.server.main", "demo", "--data-dir",
                                 str(server.data_dir), "--workdir", str(tmp_path / "demo")],
                                capture_output=True, text=True, timeout=600, env=env)
        assert result.returncode == 0, result.stdout + result.stderr + server.log()
        assert f"Playing the seed document against {server.url}" in result.stdout
        assert POD_ROW.search(result.stdout)
        assert result.stdout.rstrip().endswith("Done: that was the whole document, against akslocal.")
    finally:
        server.stop()
