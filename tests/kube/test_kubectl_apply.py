"""kubectl apply: client-side (created / unchanged / configured), server-side, edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.kube.support import Kubectl

pytestmark = pytest.mark.slow

CRB = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {name}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: {user}
"""

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports: [{containerPort: 80}]
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_client_side_apply_created_unchanged_configured(admin: Kubectl, tmp_path: Path) -> None:
    first = _write(tmp_path, "a.yaml", CRB.format(name="apply-a", user="bob"))
    assert admin.ok("apply", "-f", first).strip() == "clusterrolebinding.rbac.authorization.k8s.io/apply-a created"
    assert admin.ok("apply", "-f", first).strip() == "clusterrolebinding.rbac.authorization.k8s.io/apply-a unchanged"
    second = _write(tmp_path, "b.yaml", CRB.format(name="apply-a", user="carol"))
    assert admin.ok("apply", "-f", second).strip() == (
        "clusterrolebinding.rbac.authorization.k8s.io/apply-a configured")
    obj = json.loads(admin.ok("get", "clusterrolebinding", "apply-a", "-o", "json"))
    assert [s["name"] for s in obj["subjects"]] == ["carol"]
    last = json.loads(obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["subjects"][0]["name"] == "carol"


def test_server_side_apply_creates_and_updates(admin: Kubectl, tmp_path: Path) -> None:
    manifest = _write(tmp_path, "ssa.yaml", CRB.format(name="apply-ssa", user="dave"))
    assert admin.ok("apply", "--server-side", "-f", manifest).strip() == (
        "clusterrolebinding.rbac.authorization.k8s.io/apply-ssa serverside-applied")
    changed = _write(tmp_path, "ssa2.yaml", CRB.format(name="apply-ssa", user="erin"))
    assert admin.ok("apply", "--server-side", "-f", changed).strip() == (
        "clusterrolebinding.rbac.authorization.k8s.io/apply-ssa serverside-applied")
    obj = json.loads(admin.ok("get", "clusterrolebinding", "apply-ssa", "-o", "json", "--show-managed-fields"))
    assert [s["name"] for s in obj["subjects"]] == ["erin"]
    assert any(m["manager"] == "kubectl" and m["operation"] == "Apply" for m in obj["metadata"]["managedFields"])


def test_server_side_apply_after_client_side_migrates_quietly(admin: Kubectl, tmp_path: Path) -> None:
    manifest = _write(tmp_path, "m.yaml", CRB.format(name="apply-mig", user="fay"))
    admin.ok("apply", "-f", manifest)
    out = admin.run("apply", "--server-side", "-f", _write(tmp_path, "m2.yaml", CRB.format(name="apply-mig",
                                                                                          user="gus")))
    assert out.returncode == 0 and "serverside-applied" in out.stdout
    assert "Warning" not in out.stderr


def test_apply_pod_then_change_it(admin: Kubectl, tmp_path: Path) -> None:
    admin.ok("create", "ns", "apply-ns")
    manifest = _write(tmp_path, "pod.yaml", POD)
    assert admin.ok("apply", "-n", "apply-ns", "-f", manifest).strip() == "pod/web created"
    relabel = _write(tmp_path, "pod2.yaml", POD.replace("{app: web}", "{app: web, v: '2'}"))
    assert admin.ok("apply", "-n", "apply-ns", "-f", relabel).strip() == "pod/web configured"
    pod = json.loads(admin.ok("get", "pod", "web", "-n", "apply-ns", "-o", "json"))
    assert pod["metadata"]["labels"] == {"app": "web", "v": "2"}
    assert pod["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_apply_with_unknown_fields_fails_strictly_and_writes_nothing(admin: Kubectl, tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: badcm\n  bogus: 1\n"
                 "data: {a: b}\nextra: 2\n")
    out = admin.run("apply", "-f", bad)
    assert out.returncode == 1
    assert ('Error from server (BadRequest): error when creating "' + bad + '": strict decoding error: '
            'unknown field "extra", unknown field "metadata.bogus"') in out.stderr
    assert admin.run("get", "cm", "badcm").returncode == 1


def test_edit_sends_a_strategic_merge_patch(admin: Kubectl) -> None:
    admin.ok("create", "clusterrolebinding", "edit-me", "--clusterrole=view", "--user=henry")
    out = admin.run("edit", "clusterrolebinding", "edit-me", env={"KUBE_EDITOR": "sed -i s/henry/irene/"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "clusterrolebinding.rbac.authorization.k8s.io/edit-me edited"
    obj = json.loads(admin.ok("get", "clusterrolebinding", "edit-me", "-o", "json"))
    assert obj["subjects"][0]["name"] == "irene"


def test_strict_validation_of_nested_fields(admin: Kubectl, tmp_path: Path) -> None:
    bad = _write(tmp_path, "d.yaml", """apiVersion: apps/v1
kind: Deployment
metadata: {name: typo}
spec:
  replicass: 2
  selector: {matchLabels: {app: t}}
  template:
    metadata: {labels: {app: t}}
    spec:
      restartPolicyy: Always
      containers: [{name: t, image: nginx, imagePullPolcy: Always}]
""")
    out = admin.run("apply", "-f", bad)
    assert out.returncode == 1
    assert ('strict decoding error: unknown field "spec.replicass", unknown field "spec.template.spec.restartPolicyy"'
            ', unknown field "spec.template.spec.containers[0].imagePullPolcy"') in out.stderr
    assert admin.run("get", "deploy", "typo").returncode == 1


def test_server_side_apply_removes_fields_the_manager_dropped(admin: Kubectl, tmp_path: Path) -> None:
    admin.ok("create", "ns", "ssa")
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  namespace: ssa\n  labels: {a: '1', b: '2'}\n"
    admin.ok("apply", "--server-side", "-f", _write(tmp_path, "c1.yaml", cm + "data: {x: '1', y: '2'}\n"))
    admin.ok("label", "cm", "owned", "-n", "ssa", "other=kept")
    second = cm.replace(", b: '2'", "") + "data: {x: '1'}\n"
    admin.ok("apply", "--server-side", "-f", _write(tmp_path, "c2.yaml", second))
    obj = json.loads(admin.ok("get", "cm", "owned", "-n", "ssa", "-o", "json"))
    assert obj["data"] == {"x": "1"}
    assert obj["metadata"]["labels"] == {"a": "1", "other": "kept"}


def test_role_ref_cannot_change(admin: Kubectl, tmp_path: Path) -> None:
    admin.ok("apply", "-f", _write(tmp_path, "r1.yaml", CRB.format(name="fixed-ref", user="kim")))
    changed = _write(tmp_path, "r2.yaml", CRB.format(name="fixed-ref", user="kim").replace("name: view", "name: edit"))
    out = admin.run("apply", "-f", changed)
    assert out.returncode == 1
    assert ('The ClusterRoleBinding "fixed-ref" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:'
            '"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef') in out.stderr
    obj = json.loads(admin.ok("get", "clusterrolebinding", "fixed-ref", "-o", "json"))
    assert obj["roleRef"]["name"] == "view"


def test_system_namespaces_cannot_be_deleted(admin: Kubectl) -> None:
    for ns in ("default", "kube-system", "kube-public"):
        out = admin.run("delete", "ns", ns)
        assert out.returncode == 1
        assert out.stderr.strip() == (f'Error from server (Forbidden): namespaces "{ns}" is forbidden: this namespace '
                                      "may not be deleted")


def test_server_side_apply_conflicts_and_force(admin: Kubectl, tmp_path: Path) -> None:
    admin.ok("create", "ns", "conflicts")
    admin.ok("create", "configmap", "shared", "--from-literal=a=1", "-n", "conflicts")
    manifest = _write(tmp_path, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n"
                      "  namespace: conflicts\ndata: {a: '2', b: '3'}\n")
    out = admin.run("apply", "--server-side", "-f", manifest)
    assert out.returncode == 1
    assert out.stderr.startswith('error: Apply failed with 1 conflict: conflict with "kubectl-create" using v1: '
                                 ".data.a\nPlease review the fields above--they currently have other managers.")
    assert json.loads(admin.ok("get", "cm", "shared", "-n", "conflicts", "-o", "json"))["data"] == {"a": "1"}
    admin.ok("apply", "--server-side", "--force-conflicts", "-f", manifest)
    obj = json.loads(admin.ok("get", "cm", "shared", "-n", "conflicts", "-o", "json", "--show-managed-fields"))
    assert obj["data"] == {"a": "2", "b": "3"}
    owners = {m["manager"]: m["fieldsV1"] for m in obj["metadata"]["managedFields"]}
    assert owners["kubectl"]["f:data"] == {"f:a": {}, "f:b": {}}
    assert "f:data" not in owners.get("kubectl-create", {})


def test_two_appliers_share_equal_values_and_conflict_on_different_ones(admin: Kubectl, tmp_path: Path) -> None:
    admin.ok("create", "ns", "two-managers")
    base = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: co\n  namespace: two-managers\ndata: {%s}\n"
    admin.ok("apply", "--server-side", "--field-manager=alpha", "-f", _write(tmp_path, "a.yaml", base % "x: '1'"))
    admin.ok("apply", "--server-side", "--field-manager=beta", "-f", _write(tmp_path, "b.yaml", base % "x: '1'"))
    clash = admin.run("apply", "--server-side", "--field-manager=beta", "-f",
                      _write(tmp_path, "c.yaml", base % "x: '9', y: '2'"))
    assert 'Apply failed with 1 conflict: conflict with "alpha" using v1: .data.x' in clash.stderr
    # alpha stops applying x: beta still owns it, so it stays
    admin.ok("apply", "--server-side", "--field-manager=alpha", "-f", _write(tmp_path, "d.yaml", base % "z: '3'"))
    obj = json.loads(admin.ok("get", "cm", "co", "-n", "two-managers", "-o", "json"))
    assert obj["data"] == {"x": "1", "z": "3"}
