"""Authorization as kubectl sees it: can-i, can-i --list, whoami, impersonation, the
exact 403 messages, escalation prevention and a watch."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from tests.kube.support import Kubectl

pytestmark = pytest.mark.slow


def test_admin_can_i_and_whoami(admin: Kubectl) -> None:
    assert admin.ok("auth", "can-i", "get", "pods").strip() == "yes"
    out = admin.run("auth", "can-i", "delete", "nodes")
    assert out.stdout.strip() == "yes" and "Warning: resource 'nodes' is not namespace scoped" in out.stderr
    who = admin.ok("auth", "whoami").splitlines()
    assert [re.split(r"\s{2,}", line.strip()) for line in who] == [
        ["ATTRIBUTE", "VALUE"], ["Username", "masterclient"], ["Groups", "[system:masters system:authenticated]"]]
    rules = admin.ok("auth", "can-i", "--list").splitlines()
    assert re.split(r"\s{2,}", rules[0].strip()) == ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]
    assert any(re.match(r"\*\.\*\s+\[\]\s+\[\]\s+\[\*\]", r) for r in rules)


def test_impersonated_user_without_bindings_is_forbidden(admin: Kubectl) -> None:
    out = admin.run("get", "pods", "-A", "--as", "nobody")
    assert out.returncode == 1
    assert out.stderr.strip() == ('Error from server (Forbidden): pods is forbidden: User "nobody" cannot list '
                                  'resource "pods" in API group "" at the cluster scope')
    named = admin.run("get", "clusterrolebinding", "cluster-admin", "--as", "nobody")
    assert named.stderr.strip() == (
        'Error from server (Forbidden): clusterrolebindings.rbac.authorization.k8s.io "cluster-admin" is forbidden: '
        'User "nobody" cannot get resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the '
        "cluster scope")
    ns = admin.run("get", "pods", "-n", "kube-system", "--as", "nobody")
    assert ns.stderr.strip().endswith('cannot list resource "pods" in API group "" in the namespace "kube-system"')
    no = admin.run("auth", "can-i", "get", "pods", "--as", "nobody")
    assert no.returncode == 1 and no.stdout.strip() == "no"
    who = admin.ok("auth", "whoami", "--as", "nobody", "--as-group", "g1", "--as-group", "g2")
    assert "Username    nobody" in who and "Groups      [g1 g2 system:authenticated]" in who


def test_bindings_grant_and_revoke(admin: Kubectl) -> None:
    admin.ok("create", "ns", "authz")
    assert admin.run("auth", "can-i", "list", "pods", "-n", "authz", "--as", "mallory").stdout.strip() == "no"
    admin.ok("create", "rolebinding", "mallory-view", "--clusterrole=view", "--user=mallory", "-n", "authz")
    assert admin.ok("auth", "can-i", "list", "pods", "-n", "authz", "--as", "mallory").strip() == "yes"
    # a RoleBinding never reaches other namespaces or cluster scope
    assert admin.run("auth", "can-i", "list", "pods", "-n", "default", "--as", "mallory").stdout.strip() == "no"
    assert admin.run("auth", "can-i", "list", "pods", "-A", "--as", "mallory").stdout.strip() == "no"
    # view has no secrets
    assert admin.run("auth", "can-i", "get", "secrets", "-n", "authz", "--as", "mallory").stdout.strip() == "no"
    assert "kube-root-ca.crt" in admin.ok("get", "cm", "-n", "authz", "--as", "mallory")
    rules = admin.ok("auth", "can-i", "--list", "-n", "authz", "--as", "mallory")
    assert re.search(r"^pods\s+\[\]\s+\[\]\s+\[get list watch\]", rules, re.M)
    admin.ok("delete", "rolebinding", "mallory-view", "-n", "authz")
    assert admin.run("auth", "can-i", "list", "pods", "-n", "authz", "--as", "mallory").stdout.strip() == "no"


def test_group_binding_via_impersonated_group(admin: Kubectl) -> None:
    admin.ok("create", "clusterrolebinding", "ops-edit", "--clusterrole=edit", "--group=ops")
    assert admin.ok("auth", "can-i", "create", "deployments", "--as", "olga", "--as-group", "ops").strip() == "yes"
    assert admin.run("auth", "can-i", "create", "deployments", "--as", "olga").stdout.strip() == "no"


def test_escalation_is_refused_with_the_upstream_message(admin: Kubectl) -> None:
    admin.ok("create", "ns", "esc")
    admin.ok("create", "rolebinding", "pete-edit", "--clusterrole=edit", "--user=pete", "-n", "esc")
    admin.ok("create", "role", "binder", "--verb=create", "--resource=rolebindings,roles", "-n", "esc")
    admin.ok("create", "rolebinding", "pete-binder", "--role=binder", "--user=pete", "-n", "esc")
    # edit covers reading secrets, so a role granting it is no escalation...
    admin.ok("create", "role", "secrets", "--verb=get", "--resource=secrets", "-n", "esc", "--as", "pete")
    # ...but nodes are not in edit
    out = admin.run("create", "role", "nodes", "--verb=list", "--resource=nodes", "-n", "esc", "--as", "pete")
    assert out.returncode == 1
    assert out.stderr.strip() == (
        'Error from server (Forbidden): roles.rbac.authorization.k8s.io "nodes" is forbidden: user "pete" '
        '(groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
        '{APIGroups:[""], Resources:["nodes"], Verbs:["list"]}')
    assert admin.run("get", "role", "nodes", "-n", "esc").returncode == 1
    denied = admin.run("create", "rolebinding", "pete-admin", "--clusterrole=admin", "--user=pete", "-n", "esc",
                       "--as", "pete")
    assert denied.returncode == 1
    assert ('rolebindings.rbac.authorization.k8s.io "pete-admin" is forbidden: user "pete" (groups=["system:'
            'authenticated"]) is attempting to grant RBAC permissions not currently held:') in denied.stderr
    assert admin.run("get", "rolebinding", "pete-admin", "-n", "esc").returncode == 1
    ok = admin.run("create", "rolebinding", "pete-view", "--clusterrole=view", "--user=quinn", "-n", "esc",
                   "--as", "pete")
    assert ok.returncode == 0, ok.stderr


def test_get_pods_watch_prints_new_rows(admin: Kubectl) -> None:
    admin.ok("create", "ns", "watched")
    env_args = ["get", "pods", "-n", "watched", "-w"]
    import os

    proc = subprocess.Popen(["kubectl", *env_args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, KUBECONFIG=str(admin.kubeconfig), KUBECACHEDIR=str(admin.cache)))
    try:
        time.sleep(1.5)
        admin.ok("run", "w1", "--image=nginx", "-n", "watched")
        admin.ok("run", "w2", "--image=nginx", "-n", "watched")
        time.sleep(1.5)
    finally:
        proc.terminate()
        out, _err = proc.communicate(timeout=10)
    lines = out.splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [line.split()[0] for line in lines[1:]] == ["w1", "w2"]
    assert all(line.split()[1:3] == ["1/1", "Running"] for line in lines[1:])


def test_service_account_tokens_authenticate_as_the_account(admin: Kubectl, cluster: dict[str, str],
                                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    import base64
    import json

    from tests.kube.support import kubectl_for

    admin.ok("create", "ns", "robots")
    admin.ok("create", "serviceaccount", "r2", "-n", "robots")
    token = admin.ok("create", "token", "r2", "-n", "robots", "--duration=2h").strip()
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["exp"] - claims["iat"] == 7200  # expirationSeconds decoded from the protobuf TokenRequest
    assert claims["sub"] == "system:serviceaccount:robots:r2"
    robot = kubectl_for(tmp_path_factory.mktemp("robot"), cluster, "robot", user={"token": token})
    who = robot.ok("auth", "whoami")
    assert "Username    system:serviceaccount:robots:r2" in who
    assert "[system:serviceaccounts system:serviceaccounts:robots system:authenticated]" in who
    denied = robot.run("get", "pods", "-n", "robots")
    assert denied.stderr.strip() == ('Error from server (Forbidden): pods is forbidden: User '
                                     '"system:serviceaccount:robots:r2" cannot list resource "pods" in API group "" '
                                     'in the namespace "robots"')
    admin.ok("create", "rolebinding", "r2-view", "--clusterrole=view", "--serviceaccount=robots:r2", "-n", "robots")
    assert robot.run("get", "pods", "-n", "robots").returncode == 0
    # deleting the service account revokes its tokens
    admin.ok("delete", "serviceaccount", "r2", "-n", "robots")
    gone = robot.run("get", "pods", "-n", "robots")
    assert gone.returncode == 1 and "You must be logged in to the server (Unauthorized)" in gone.stderr
    short = admin.run("create", "token", "default", "-n", "robots", "--duration=1m")
    assert "may not specify a duration less than 10 minutes" in short.stderr
