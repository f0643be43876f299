"""The seed's set-up, once, for the end-to-end tests: the one place that builds a legacy Entra cluster.

:func:`set_up_cluster` runs the seed document's own commands (read from the document by
:mod:`tests.support.seed`, ``az`` → ``azlocal``) in one bash session, from ``aksname=…``
to ``az aks get-credentials --admin``: the server app with group claims, its service
principal and secret, the Graph permissions, the grant, admin consent (``admin_consent=
False`` leaves that one command out), the client app and its permission and grant, the
resource group, ``aks create`` with the four ``--aad-*`` flags and the admin credentials.

:class:`KubectlUser` is one person at one machine: a HOME of their own (so kubelogin's
token cache ``~/.kube/cache/kubelogin`` and kubectl's caches are theirs), a user kubeconfig
from ``azlocal aks get-credentials``, and the real kubectl, whose device-code prompt is
answered by ``akslocal devicelogin`` (or any callable, e.g. a browser).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from akslocal.demo.command import ADMIN_UPN, demo_env
from tests.support.live import LiveServer
from tests.support.seed import binding_manifest, seed_commands, to_azlocal

ADMIN_PASSWORD = "Adm1n-Passw0rd!"
RESOURCE_GROUP = "myResourceGroup"
BIN = Path(sys.executable).parent
PROMPT = re.compile(r"To sign in, use a web browser to open the page (\S+) and enter the code ([A-Z0-9]+) to "
                    r"authenticate\.")
UNAUTHORIZED = "error: You must be logged in to the server (Unauthorized)"
VARIABLES = ("serverApplicationId", "serverApplicationSecret", "clientApplicationId", "oAuthPermissionId", "tenantId")


def setup_commands(aksname: str, *, admin_consent: bool = True) -> list[str]:
    """The seed's commands from ``aksname=…`` to the admin credentials (az → azlocal)."""
    commands = []
    for command in seed_commands():
        if command.startswith("aksname="):
            command = f"aksname={shlex.quote(aksname)}"
        if not admin_consent and command.startswith("az ad app permission admin-consent"):
            continue
        commands.append(to_azlocal(command))
        if command.startswith("az aks get-credentials") and "--admin" in command:
            return commands
    raise AssertionError("the seed document has no 'az aks get-credentials … --admin'")


@dataclass
class SeedCluster:
    """A cluster made by the seed's commands, and the admin's azlocal session that made it."""

    server: LiveServer
    workdir: Path
    env: dict[str, str]
    aksname: str
    server_app_id: str
    server_app_secret: str
    client_app_id: str
    oauth_permission_id: str
    tenant_id: str
    resource_group: str = RESOURCE_GROUP
    setup_output: str = ""

    @property
    def admin_kubeconfig(self) -> Path:
        return Path(self.env["KUBECONFIG"])

    def azlocal(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        """``azlocal ARGS`` as the signed-in tenant admin."""
        result = subprocess.run([str(BIN / "azlocal"), *args], capture_output=True, text=True, env=self.env,
                                cwd=self.workdir, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"azlocal {shlex.join(args)} exited {result.returncode}:\n{result.stdout}\n"
                                 f"{result.stderr}\n--- server log ---\n{self.server.log()[-4000:]}")
        return result

    def tsv(self, *args: str) -> str:
        return self.azlocal(*args, "-o", "tsv").stdout.strip()

    def admin_kubectl(self, *args: str, input: str | None = None, check: bool = True,
                      person: KubectlUser | None = None) -> subprocess.CompletedProcess:
        """kubectl with the cluster admin credentials (``get-credentials --admin``): the set-up's, or the
        current context of ``person``, who fetched them into their own kubeconfig as the document does."""
        kubeconfig = person.kubeconfig if person else self.admin_kubeconfig
        result = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], capture_output=True,
                                text=True, env=person.env() if person else self.env, input=input, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {shlex.join(args)} exited {result.returncode}:\n{result.stdout}\n"
                                 f"{result.stderr}")
        return result

    def bind_cluster_admin(self, name: str, kind: str, subject: str, person: KubectlUser | None = None) -> None:
        """The document's ClusterRoleBinding (cluster-admin), for a User or a Group, under ``name``."""
        manifest = binding_manifest(subject).replace("contoso-cluster-admins", name)
        if kind != "User":
            manifest = manifest.replace("  kind: User\n", f"  kind: {kind}\n")
        applied = self.admin_kubectl("apply", "-f", "-", input=manifest, person=person)
        assert f"clusterrolebinding.rbac.authorization.k8s.io/{name} created" in applied.stdout, applied.stdout

    def user(self, home: Path, *, credentials: bool = True) -> KubectlUser:
        """A person with their own HOME and the user kubeconfig (``get-credentials --overwrite-existing``)."""
        person = KubectlUser(self, home)
        if credentials:
            person.get_credentials()
        return person

    def document_reader(self, home: Path, *bindings: tuple[str, str, str]) -> KubectlUser:
        """Someone who follows the document in one HOME and one kubeconfig: admin credentials, the bindings
        applied with them (``kubectl apply``), then the user credentials (``--overwrite-existing``).

        Their kubectl has used the cluster before signing in (its discovery cache is warm), so a
        rejected token shows as the document prints it: ``… logged in to the server (Unauthorized)``
        (on a cold cache kubectl 1.32 reports the 401 of discovery instead).
        """
        person = KubectlUser(self, home)
        person.get_credentials("--admin")
        for name, kind, subject in bindings:
            self.bind_cluster_admin(name, kind, subject, person=person)
        person.get_credentials()
        return person

    def object_id(self, kind: str, name: str) -> str:
        """Object id of a user (``ad user list --upn``) or a group (``ad group show``)."""
        if kind == "user":
            value = self.tsv("ad", "user", "list", "--upn", name, "--query", "[0].id")
        else:
            value = self.tsv("ad", "group", "show", "--group", name, "--query", "id")
        assert re.fullmatch(r"[0-9a-f-]{36}", value), f"{kind} {name!r}: {value!r}"
        return value


def set_up_cluster(server: LiveServer, workdir: Path, aksname: str = "myakscluster", *,
                   admin_consent: bool = True) -> SeedCluster:
    """Sign in as the tenant admin and run the seed's set-up commands; returns their ids, secret and kubeconfig."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = demo_env(server.data_dir, server.url, ADMIN_PASSWORD, workdir)
    out = workdir / "setup-vars.txt"
    lines = ['azlocal login -u "$ADMIN_UPN" -p "$ADMIN_PASSWORD" --allow-no-subscriptions -o none',
             *setup_commands(aksname, admin_consent=admin_consent)]
    lines += [f'printf "%s=%s\\n" {name} "${{{name}:-}}" >> {shlex.quote(str(out))}' for name in VARIABLES]
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(lines)], capture_output=True, text=True,
                            env=env, cwd=workdir, timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"the seed's set-up failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n"
                             f"--- server log ---\n{server.log()[-4000:]}")
    values = dict(line.split("=", 1) for line in out.read_text().splitlines())
    return SeedCluster(server=server, workdir=workdir, env=env, aksname=aksname,
                       server_app_id=values["serverApplicationId"],
                       server_app_secret=values["serverApplicationSecret"],
                       client_app_id=values["clientApplicationId"], oauth_permission_id=values["oAuthPermissionId"],
                       tenant_id=values["tenantId"], setup_output=result.stdout + result.stderr)


def import_fixture(server: LiveServer, path: Path, text: str) -> str:
    """``akslocal import FILE.yaml`` into the running server's data dir (format: docs/directory.md)."""
    path.write_text(text)
    result = subprocess.run([str(BIN / "akslocal"), "import", str(path), "--data-dir", str(server.data_dir)],
                            capture_output=True, text=True, env=server.env(), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def serve_with_fixture(tmp_path_factory, name: str, fixture: str) -> Iterator[LiveServer]:
    """A module's live server with its people imported first (for ``yield from`` in a fixture); always stopped."""
    root = tmp_path_factory.mktemp(name)
    live = LiveServer.start(root / "data")
    try:
        import_fixture(live, root / "people.yaml", fixture)
        yield live
    finally:
        live.stop()


@dataclass
class SignedIn:
    """One kubectl run that may have prompted for a device code."""

    result: subprocess.CompletedProcess
    prompts: list[tuple[str, str]] = field(default_factory=list)  # (verification page, code)

    @property
    def stdout(self) -> str:
        return self.result.stdout

    @property
    def stderr(self) -> str:
        return self.result.stderr


@dataclass
class KubectlUser:
    """The real kubectl for one person: own HOME (token caches), own kubeconfig."""

    cluster: SeedCluster
    home: Path

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)

    @property
    def kubeconfig(self) -> Path:
        return self.home / ".kube" / "config"

    @property
    def token_cache(self) -> Path:
        return self.home / ".kube" / "cache" / "kubelogin"

    def env(self) -> dict[str, str]:
        env = dict(self.cluster.env)
        env.update(HOME=str(self.home), KUBECONFIG=str(self.kubeconfig),
                   AKSLOCAL_CONFIG_DIR=str(self.home / ".akslocal-cli"),
                   PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""))
        env.pop("KUBECACHEDIR", None)
        return env

    def get_credentials(self, *extra: str) -> subprocess.CompletedProcess:
        """``azlocal aks get-credentials -g … -n … --overwrite-existing`` into this person's kubeconfig."""
        c = self.cluster
        return c.azlocal("aks", "get-credentials", "--resource-group", c.resource_group, "--name", c.aksname,
                         "--overwrite-existing", "--file", str(self.kubeconfig), *extra)

    def kubectl(self, *args: str, answer: Callable[[str, str], None] | None = None,
                timeout: float = 120) -> SignedIn:
        """Run kubectl; when it prints the device-code prompt, ``answer(page, code)`` completes it.

        Without ``answer`` a prompt is a failure: the run is stopped and reported.
        """
        process = subprocess.Popen(["kubectl", *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=self.env(), cwd=self.home)
        out: list[str] = []
        err: list[str] = []
        prompts: list[tuple[str, str]] = []
        prompted = threading.Event()

        def read_stderr() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                err.append(line)
                match = PROMPT.search(line)
                if match:
                    prompts.append((match.group(1), match.group(2)))
                    prompted.set()

        def read_stdout() -> None:
            assert process.stdout is not None
            out.append(process.stdout.read())

        readers = [threading.Thread(target=read_stderr, daemon=True), threading.Thread(target=read_stdout,
                                                                                        daemon=True)]
        for reader in readers:
            reader.start()
        try:
            while process.poll() is None and not prompted.wait(0.05):
                pass
            if prompted.is_set():
                if answer is None:
                    process.kill()
                    raise AssertionError(f"kubectl {shlex.join(args)} prompted for a sign-in:\n{''.join(err)}")
                answer(*prompts[-1])
            process.wait(timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(5)
        for reader in readers:
            reader.join(10)
        return SignedIn(subprocess.CompletedProcess(process.args, process.returncode, "".join(out), "".join(err)),
                        prompts)

    def kubectl_signing_in(self, username: str, password: str, *args: str) -> SignedIn:
        """kubectl whose device-code prompt is answered by ``akslocal devicelogin --code … --username …``."""
        def answer(page: str, code: str) -> None:
            done = subprocess.run([str(BIN / "akslocal"), "devicelogin", "--code", code, "--username", username,
                                   "--password", password], capture_output=True, text=True, env=self.env(),
                                  timeout=60)
            assert done.returncode == 0, f"akslocal devicelogin failed:\n{done.stdout}\n{done.stderr}"

        return self.kubectl(*args, answer=answer)


__all__ = ["ADMIN_PASSWORD", "ADMIN_UPN", "UNAUTHORIZED", "KubectlUser", "SeedCluster", "SignedIn",
           "import_fixture", "set_up_cluster", "setup_commands"]
