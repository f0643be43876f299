"""The real kubectl (1.32, through the gcloud dispatcher) against a provisioned cluster:
the commands of contract §9, the seed's ``get pods -A`` layout, output formats."""

from __future__ import annotations

import json
import re

import pytest

from tests.kube.support import Kubectl

pytestmark = pytest.mark.slow


def _cols(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_get_pods_all_namespaces_prints_the_seed_layout(admin: Kubectl) -> None:
    out = admin.ok("get", "pods", "--all-namespaces")
    lines = out.splitlines()
    assert _cols(lines[0]) == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    rows = [re.split(r"\s+", line.strip()) for line in lines[1:]]
    names = [r[1] for r in rows]
    assert all(r[0] == "kube-system" and r[2] == "1/1" and r[3] == "Running" and r[4] == "0" for r in rows)
    assert sum(1 for n in names if re.fullmatch(r"coredns-[a-z0-9]+-[a-z0-9]{5}", n)) == 2
    assert any(n.startswith("coredns-autoscaler-") for n in names)
    assert any(n.startswith("metrics-server-") for n in names)
    assert sum(1 for n in names if n.startswith("kube-proxy-")) == 3  # one per node
    assert all(re.fullmatch(r"\d+s|\d+m(\d+s)?", r[5]) for r in rows)


def test_version_reports_the_cluster_version(admin: Kubectl) -> None:
    out = json.loads(admin.ok("version", "-o", "json"))
    assert out["serverVersion"]["gitVersion"] == "v1.32.4"
    assert out["serverVersion"]["minor"] == "32"
    assert out["clientVersion"]["minor"].startswith("32")


def test_nodes_are_named_like_aks(admin: Kubectl) -> None:
    out = admin.ok("get", "nodes")
    assert _cols(out.splitlines()[0]) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    names = re.findall(r"^(aks-nodepool1-\d{8}-vmss00000\d)\s+Ready\s+agent\s+\S+\s+v1\.32\.4$", out, re.M)
    assert [n[-1] for n in names] == ["0", "1", "2"]


def test_wide_output_has_the_upstream_extra_columns(admin: Kubectl) -> None:
    pods = admin.ok("get", "pods", "-n", "kube-system", "-o", "wide").splitlines()
    assert _cols(pods[0]) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE",
                              "READINESS GATES"]
    assert all(re.search(r"10\.244\.\d+\.\d+\s+aks-nodepool1-\d{8}-vmss00000\d", p) for p in pods[1:])
    nodes = admin.ok("get", "nodes", "-o", "wide").splitlines()
    assert _cols(nodes[0])[5:] == ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]


def test_namespaces_and_json_yaml_output(admin: Kubectl) -> None:
    out = admin.ok("get", "ns")
    assert re.findall(r"^(\S+)\s+Active", out, re.M) == ["default", "kube-node-lease", "kube-public", "kube-system"]
    doc = json.loads(admin.ok("get", "pods", "-n", "kube-system", "-o", "json"))
    assert doc["kind"] == "List" and all(i["kind"] == "Pod" for i in doc["items"])
    assert all(i["status"]["phase"] == "Running" for i in doc["items"])
    assert all(int(i["metadata"]["resourceVersion"]) > 0 for i in doc["items"])
    yaml_out = admin.ok("get", "ns", "default", "-o", "yaml")
    assert "kind: Namespace" in yaml_out and "phase: Active" in yaml_out
    assert "kubernetes.io/metadata.name: default" in yaml_out


def test_api_resources_and_cluster_info(admin: Kubectl) -> None:
    out = admin.ok("api-resources")
    assert re.search(r"^pods\s+po\s+v1\s+true\s+Pod$", out, re.M)
    assert re.search(r"^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$", out, re.M)
    assert re.search(r"^clusterrolebindings\s+rbac.authorization.k8s.io/v1\s+false\s+ClusterRoleBinding$", out, re.M)
    info = admin.ok("cluster-info")
    assert "Kubernetes control plane is running at https://127.0.0.1:" in info
    assert "/clusters/c1/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy" in info


def test_short_names_resolve(admin: Kubectl) -> None:
    assert "kube-proxy" in admin.ok("get", "po", "-n", "kube-system")
    assert "kube-system" in admin.ok("get", "ns")
    assert "kube-dns" in admin.ok("get", "svc", "-n", "kube-system")
    assert "coredns" in admin.ok("get", "deploy", "-n", "kube-system")


def test_create_namespace_and_bindings_with_protobuf_bodies(admin: Kubectl) -> None:
    assert admin.ok("create", "ns", "team-a").strip() == "namespace/team-a created"
    again = admin.run("create", "ns", "team-a")
    assert again.returncode == 1
    assert 'Error from server (AlreadyExists): namespaces "team-a" already exists' in again.stderr
    assert admin.ok("create", "clusterrolebinding", "alice-view", "--clusterrole=view", "--user=alice").strip() == (
        "clusterrolebinding.rbac.authorization.k8s.io/alice-view created")
    dup = admin.run("create", "clusterrolebinding", "alice-view", "--clusterrole=view", "--user=alice")
    assert ('error: failed to create clusterrolebinding: clusterrolebindings.rbac.authorization.k8s.io '
            '"alice-view" already exists') in dup.stderr
    assert admin.ok("create", "rolebinding", "rb1", "--clusterrole=edit", "--group=devs", "-n", "team-a").strip() == (
        "rolebinding.rbac.authorization.k8s.io/rb1 created")
    crb = json.loads(admin.ok("get", "clusterrolebinding", "alice-view", "-o", "json"))
    assert crb["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}
    assert crb["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]
    rbs = admin.ok("get", "rolebindings", "-n", "team-a", "-o", "wide").splitlines()
    assert _cols(rbs[0]) == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert re.match(r"rb1\s+ClusterRole/edit\s+\S+\s+devs", rbs[1])
    ns = json.loads(admin.ok("get", "ns", "team-a", "-o", "json"))
    assert ns["status"] == {"phase": "Active"} and ns["spec"] == {"finalizers": ["kubernetes"]}
    # the namespace controllers' objects
    assert "default" in admin.ok("get", "sa", "-n", "team-a")
    assert "kube-root-ca.crt" in admin.ok("get", "cm", "-n", "team-a")


def test_other_create_commands_decode(admin: Kubectl) -> None:
    admin.ok("create", "ns", "team-b")
    admin.ok("create", "configmap", "cm1", "--from-literal=a=b", "-n", "team-b")
    admin.ok("create", "secret", "generic", "s1", "--from-literal=pw=hunter2", "-n", "team-b")
    admin.ok("create", "serviceaccount", "robot", "-n", "team-b")
    admin.ok("create", "clusterrole", "pod-reader", "--verb=get,list", "--resource=pods")
    admin.ok("create", "role", "secret-reader", "--verb=get", "--resource=secrets", "-n", "team-b")
    cm = json.loads(admin.ok("get", "cm", "cm1", "-n", "team-b", "-o", "json"))
    assert cm["data"] == {"a": "b"}
    secret = json.loads(admin.ok("get", "secret", "s1", "-n", "team-b", "-o", "json"))
    assert secret["data"] == {"pw": "aHVudGVyMg=="} and secret["type"] == "Opaque"
    cr = json.loads(admin.ok("get", "clusterrole", "pod-reader", "-o", "json"))
    assert cr["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]
    role = json.loads(admin.ok("get", "role", "secret-reader", "-n", "team-b", "-o", "json"))
    assert role["rules"] == [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]


def test_create_deployment_looks_right(admin: Kubectl) -> None:
    admin.ok("create", "ns", "web")
    assert admin.ok("create", "deployment", "nginx", "--image=nginx", "--replicas=2", "-n", "web").strip() == (
        "deployment.apps/nginx created")
    deploy = admin.ok("get", "deploy", "-n", "web").splitlines()
    assert _cols(deploy[0]) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert re.match(r"nginx\s+2/2\s+2\s+2\s+", deploy[1])
    rs = admin.ok("get", "rs", "-n", "web").splitlines()
    assert re.match(r"nginx-([a-z0-9]+)\s+2\s+2\s+2\s+", rs[1])
    pods = admin.ok("get", "pods", "-n", "web", "-l", "app=nginx").splitlines()[1:]
    assert len(pods) == 2
    assert all(re.match(r"nginx-[a-z0-9]+-[a-z0-9]{5}\s+1/1\s+Running\s+0\s+", p) for p in pods)
    admin.ok("scale", "deployment", "nginx", "--replicas=3", "-n", "web")
    assert len(admin.ok("get", "pods", "-n", "web", "--no-headers").splitlines()) == 3
    admin.ok("set", "image", "deployment/nginx", "nginx=nginx:1.27", "-n", "web")
    rs_lines = admin.ok("get", "rs", "-n", "web", "--no-headers").splitlines()
    assert sorted(re.split(r"\s+", line)[1] for line in rs_lines) == ["0", "3"]
    assert "successfully rolled out" in admin.ok("rollout", "status", "deployment/nginx", "-n", "web")
    admin.ok("delete", "deployment", "nginx", "-n", "web")
    left = admin.run("get", "rs,pods", "-n", "web")
    assert left.stdout == "" and "No resources found in web namespace." in left.stderr


def test_delete_waits_for_the_object_to_disappear(admin: Kubectl) -> None:
    admin.ok("create", "clusterrolebinding", "temp", "--clusterrole=view", "--user=zed")
    assert admin.ok("delete", "clusterrolebinding", "temp").strip() == (
        'clusterrolebinding.rbac.authorization.k8s.io "temp" deleted')
    gone = admin.run("get", "clusterrolebinding", "temp")
    assert gone.returncode == 1
    assert gone.stderr.strip() == ('Error from server (NotFound): clusterrolebindings.rbac.authorization.k8s.io '
                                   '"temp" not found')


def test_errors_are_printed_as_upstream(admin: Kubectl) -> None:
    missing = admin.run("get", "pods", "nope")
    assert missing.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'
    bad = admin.run("create", "ns", "Bad_Name")
    assert bad.returncode == 1
    assert 'The Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 ' \
           "label must consist of" in bad.stderr
    unknown = admin.run("get", "foos")
    assert 'error: the server doesn\'t have a resource type "foos"' in unknown.stderr
    empty = admin.run("get", "pods", "-n", "kube-public")
    assert empty.returncode == 0 and "No resources found in kube-public namespace." in empty.stderr


def test_label_annotate_patch(admin: Kubectl) -> None:
    admin.ok("run", "labelled", "--image=busybox")
    assert admin.ok("label", "pod", "labelled", "tier=front").strip() == "pod/labelled labeled"
    assert "run=labelled,tier=front" in admin.ok("get", "pod", "labelled", "--show-labels")
    assert admin.ok("annotate", "pod", "labelled", "note=x").strip() == "pod/labelled annotated"
    admin.ok("patch", "pod", "labelled", "--type=json", "-p", '[{"op":"add","path":"/metadata/labels/j","value":"1"}]')
    admin.ok("patch", "pod", "labelled", "--type=merge", "-p", '{"metadata":{"labels":{"m":"2"}}}')
    admin.ok("patch", "pod", "labelled", "-p", '{"spec":{"containers":[{"name":"labelled","image":"busybox:2"}]}}')
    pod = json.loads(admin.ok("get", "pod", "labelled", "-o", "json"))
    assert pod["metadata"]["labels"] == {"run": "labelled", "tier": "front", "j": "1", "m": "2"}
    assert pod["metadata"]["annotations"] == {"note": "x"}
    # strategic merge: the container list is merged by name, not replaced
    assert [(c["name"], c["image"], c["terminationMessagePolicy"]) for c in pod["spec"]["containers"]] == [
        ("labelled", "busybox:2", "File")]
    assert pod["spec"]["nodeName"].startswith("aks-nodepool1-")


def test_chunked_lists_follow_continue_tokens(admin: Kubectl) -> None:
    whole = admin.ok("get", "pods", "-n", "kube-system", "--no-headers").splitlines()
    chunked = admin.ok("get", "pods", "-n", "kube-system", "--no-headers", "--chunk-size=3").splitlines()
    assert [c.split()[0] for c in chunked] == [w.split()[0] for w in whole] and len(whole) > 3


def test_a_legacy_entra_cluster_shows_the_seed_pods(kube_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.kube.support import kubectl_for, provision

    creds = provision(kube_server, "legacy", nodeCount=1, auth={
        "mode": "legacy", "tenant_id": "t", "server_app_id": "s", "server_app_secret": "x", "client_app_id": "c"})
    out = kubectl_for(tmp_path, creds, "legacy").ok("get", "pods", "--all-namespaces")
    rows = [re.split(r"\s+", line.strip()) for line in out.splitlines()[1:]]
    prefixes = [re.sub(r"-[a-z0-9]{5}$", "", r[1]) for r in rows]
    prefixes = [re.sub(r"-[a-z0-9]{10}$", "", p) for p in prefixes]
    # the seed's sample output, line by line (one node: one kube-proxy, one kube-svc-redirect)
    assert prefixes == ["coredns", "coredns", "coredns-autoscaler", "heapster", "kube-proxy", "kube-svc-redirect",
                        "kubernetes-dashboard", "metrics-server", "tunnelfront"]
    ready = {p: r[2] for p, r in zip(prefixes, rows, strict=True)}
    assert ready["heapster"] == "2/2" and ready["kube-svc-redirect"] == "2/2" and ready["tunnelfront"] == "1/1"
    assert all(r[3] == "Running" and r[4] == "0" for r in rows)
