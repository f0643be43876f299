"""The protobuf decoder against hand-built wire bytes (field numbers of the upstream
generated.proto files) and hostile envelopes."""

from __future__ import annotations

import pytest

from akslocal.kube.errors import KubeStatus
from akslocal.kube.protobuf import decode_envelope


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value: bytes | int | str) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = _field(1, api_version) + _field(2, kind)
    return b"k8s\x00" + _field(1, type_meta) + _field(2, raw) + _field(3, "") + _field(4, "")


def _meta(name: str, **labels: str) -> bytes:
    out = _field(1, name) + _field(2, "") + _field(3, "")
    for k, v in labels.items():
        out += _field(11, _field(1, k) + _field(2, v))
    return out + _field(8, b"")  # gogo's zero Time


def test_cluster_role_binding() -> None:
    raw = (_field(1, _meta("alice-view", team="a"))
           + _field(2, _field(1, "User") + _field(2, "rbac.authorization.k8s.io") + _field(3, "alice")
                    + _field(4, ""))
           + _field(3, _field(1, "rbac.authorization.k8s.io") + _field(2, "ClusterRole") + _field(3, "view")))
    obj = decode_envelope(_envelope("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", raw))
    assert obj == {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                   "metadata": {"name": "alice-view", "labels": {"team": "a"}},
                   "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"}],
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}}


def test_self_subject_access_review_and_namespace() -> None:
    attrs = _field(1, "default") + _field(2, "get") + _field(3, "") + _field(5, "pods") + _field(6, "")
    ssar = decode_envelope(_envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview",
                                     _field(1, b"") + _field(2, _field(1, attrs))))
    assert ssar["spec"] == {"resourceAttributes": {"namespace": "default", "verb": "get", "resource": "pods"}}
    ns = decode_envelope(_envelope("v1", "Namespace", _field(1, _meta("foo")) + _field(2, b"") + _field(3, _field(
        1, ""))))
    assert ns == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "foo"}, "spec": {}, "status": {}}


def test_deployment_with_replicas_zero_and_int_or_string() -> None:
    container = _field(1, "web") + _field(2, "nginx") + _field(6, _field(3, 80)) + _field(8, b"")
    template = _field(1, _meta("", app="web")) + _field(2, _field(2, container))
    strategy = _field(1, "RollingUpdate") + _field(2, _field(1, _field(1, 1) + _field(3, "25%")) + _field(
        2, _field(1, 0) + _field(2, 2)))
    spec = (_field(1, 0) + _field(2, _field(1, _field(1, "app") + _field(2, "web"))) + _field(3, template)
            + _field(4, strategy))
    obj = decode_envelope(_envelope("apps/v1", "Deployment", _field(1, _meta("web")) + _field(2, spec)))
    assert obj["spec"]["replicas"] == 0  # a pointer upstream: an explicit zero survives
    assert obj["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert obj["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": "25%", "maxSurge": 2}
    assert obj["spec"]["template"]["spec"]["containers"] == [
        {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}], "resources": {}}]


@pytest.mark.parametrize("body", [
    b"",
    b"k8s",
    b"k8s\x00\x0a",                      # truncated length
    b"k8s\x00\x0a\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",  # overlong varint
    b"k8s\x00\x0b",                      # wire type 3 (groups) is refused
    b"k8s\x00\x12\x03\xff\xfe\xfd",      # raw without typeMeta
])
def test_hostile_envelopes_are_400_or_415(body: bytes) -> None:
    with pytest.raises(KubeStatus) as exc:
        decode_envelope(body)
    assert exc.value.code in (400, 415)


def test_aggregation_rule_and_garbage_metadata() -> None:
    raw = _field(1, _meta("r")) + _field(3, _field(1, _field(2, _field(1, "k") + _field(2, "In"))))
    obj = decode_envelope(_envelope("rbac.authorization.k8s.io/v1", "ClusterRole", raw))
    assert obj["aggregationRule"] == {"clusterRoleSelectors": [{"matchExpressions": [{"key": "k",
                                                                                      "operator": "In"}]}]}
    with pytest.raises(KubeStatus):
        decode_envelope(_envelope("v1", "Namespace", _field(1, b"\xff")))
