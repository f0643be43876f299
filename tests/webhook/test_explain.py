"""``akslocal explain``: every check of a token on its own, the verdict, matching bindings, and the
token taken from a kubeconfig (static token, or the exec plugin run without a terminal)."""

from __future__ import annotations

import asyncio
import json
import stat
import sys
from pathlib import Path

import pytest
import yaml

from akslocal.clock import FixedClock
from akslocal.webhook import explain
from akslocal.webhook.config import WebhookConfig
from akslocal.webhook.diagnose import diagnose, matching_bindings
from akslocal.webhook.review import Authenticator
from tests.webhook.tokens import NOW, OTHER_TENANT, SERVER_APP, TENANT, Minter

MINTER = Minter()
CONFIG = WebhookConfig(tenant_id=TENANT, mode="legacy", server_app_id=SERVER_APP, server_app_secret="s")


def report_for(token: str) -> dict:
    return asyncio.run(diagnose(Authenticator(CONFIG, MINTER.key_set, FixedClock(NOW)), token))


def checks(report: dict) -> dict[str, tuple[bool | None, str]]:
    return {c["name"]: (c["ok"], c["detail"]) for c in report["checks"]}


def test_a_good_token_passes_every_check() -> None:
    found = checks(report_for(MINTER.token()))
    assert all(ok for ok, _ in found.values()), found
    assert found["identity"][1].startswith("username alice@contoso.onmicrosoft.com (the upn claim)")
    assert found["groups"][1] == "2 group(s) in the token's groups claim"
    assert found["verdict"][1] == "authenticated as alice@contoso.onmicrosoft.com with 2 group(s)"


def test_every_problem_is_listed_not_only_the_first() -> None:
    token = MINTER.token(iss=f"https://sts.windows.net/{OTHER_TENANT}/", tid=OTHER_TENANT, aud="api://other",
                         exp=NOW - 600, upn=None)
    report = report_for(token)
    found = checks(report)
    assert [name for name, (ok, _) in found.items() if ok is False] == [
        "issuer", "tenant", "audience", "expiry", "verdict"]
    assert "a token of another tenant" in found["issuer"][1]
    assert found["expiry"][1].startswith("oidc: token is expired (Token Expiry: ")
    assert "the user is their object id; bind the object id, not a UPN" in found["identity"][1]
    assert "(Unauthorized)" in found["verdict"][1]
    text = explain.render(report)
    assert "[FAIL] audience" in text and "[ok]   signature" in text


def test_forged_tokens_fail_their_check() -> None:
    other = checks(report_for(Minter(kid="nope").token()))
    assert other["signature"][0] is False and "no key with kid 'nope'" in other["signature"][1]
    garbage = checks(report_for("garbage"))
    assert list(garbage) == ["format", "verdict"] and garbage["format"][0] is False


def test_overage_is_named() -> None:
    found = checks(report_for(MINTER.token(groups=None, _claim_names={"groups": "src1"},
                                           _claim_sources={"src1": {"endpoint": "https://graph/x"}})))
    assert found["groups"][1].startswith("group overage (more than 200 groups)")


def test_matching_bindings() -> None:
    bindings = [
        {"kind": "ClusterRoleBinding", "metadata": {"name": "admins"}, "roleRef": {"kind": "ClusterRole",
                                                                                   "name": "cluster-admin"},
         "subjects": [{"kind": "Group", "name": "g2"}]},
        {"kind": "RoleBinding", "metadata": {"name": "dev", "namespace": "team"},
         "roleRef": {"kind": "Role", "name": "edit"}, "subjects": [{"kind": "User", "name": "alice@x"}, "junk"]},
        {"kind": "ClusterRoleBinding", "metadata": {"name": "other"}, "roleRef": {"kind": "ClusterRole",
                                                                                  "name": "view"},
         "subjects": [{"kind": "User", "name": "bob@x"}]},
    ]
    assert matching_bindings(bindings, "alice@x", ["g1", "g2"]) == [
        "ClusterRoleBinding admins → ClusterRole cluster-admin (via Group g2)",
        "RoleBinding team/dev → Role edit (via User alice@x)"]
    report = {"checks": [], "status": {"user": {"username": "carol"}}, "bindings": []}
    assert "No (Cluster)RoleBinding names carol" in explain.render(report)


def write_kubeconfig(path: Path, user: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "k", "cluster": {"server": "https://127.0.0.1:1/clusters/abc"}}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}]}))
    return path


def plugin(tmp_path: Path, body: str) -> str:
    script = tmp_path / "plugin.py"
    script.write_text(f"import json, os, sys\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_token_from_kubeconfig_static_and_exec(tmp_path: Path) -> None:
    static = write_kubeconfig(tmp_path / "a" / "config", {"token": "tok"})
    assert explain.token_from_kubeconfig(static, None)[:2] == ("tok", "https://127.0.0.1:1/clusters/abc")
    script = plugin(tmp_path, 'print(json.dumps({"kind": "ExecCredential", "status": {"token": os.environ["HOME"] '
                              '+ "|" + json.loads(os.environ["KUBERNETES_EXEC_INFO"])["spec"]["interactive"]'
                              '.__repr__()}}))')
    home = tmp_path / "dave"
    kube = write_kubeconfig(home / ".kube" / "config", {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable, "args": [script],
        "env": [{"name": "AKSLOCAL_DATA_DIR", "value": "/data"}]}})
    token, _, _, env = explain.token_from_kubeconfig(kube, None)
    assert token == f"{home}|False"  # the cache next to that kubeconfig; never interactive
    assert env["AKSLOCAL_DATA_DIR"] == "/data"
    prompting = write_kubeconfig(tmp_path / "p" / "config", {"exec": {
        "command": sys.executable, "args": [plugin(tmp_path, 'print("To sign in, use a web browser", file=sys.stderr,'
                                                             ' flush=True)\nimport time; time.sleep(30)')]}})
    with pytest.raises(explain.ExplainError, match="no cached token"):
        explain.token_from_kubeconfig(prompting, None)
    cert = write_kubeconfig(tmp_path / "c" / "config", {"client-certificate-data": "eA=="})
    with pytest.raises(explain.ExplainError, match="client certificate"):
        explain.token_from_kubeconfig(cert, None)
    with pytest.raises(explain.ExplainError, match="no context"):
        explain.token_from_kubeconfig(static, "missing")


def test_explain_command_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from akslocal.server.main import main

    assert main(["explain"]) == 2
    assert "give a TOKEN or --kubeconfig" in capsys.readouterr().err
    assert main(["explain", "eyJ.x.y"]) == 2
    assert "which cluster?" in capsys.readouterr().err
    assert json.dumps  # keep the import used for clarity in failures
