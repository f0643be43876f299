"""Decoding Kubernetes protobuf request bodies (kubectl >= 1.32 sends them; contract §10).

The wire format is the 4-byte magic ``k8s\\0`` followed by a ``runtime.Unknown``
(1 typeMeta{1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType); ``raw`` is
the typed message, decoded here with a table of field numbers taken from the upstream
``generated.proto`` files.  Unknown fields are skipped by wire type.  gogo-protobuf
emits empty strings and zeros for non-pointer fields, so those are dropped (except
fields that are pointers upstream, where a zero is meaningful).  Responses stay JSON.
"""

from __future__ import annotations

import base64
from typing import Any

from akslocal.kube.errors import KubeStatus, bad_request
from akslocal.kube.objects import rfc3339

MAGIC = b"k8s\x00"
MAX_DEPTH = 64

# Field tables: number -> (json name, type).  Types: "s" string, "i" varint int, "b" bool,
# "y" bytes (base64 in JSON), "m" map<string,string>, "my" map<string,bytes>, "t" Time,
# "q" Quantity map, "ios" IntOrString, a message name, or any of these prefixed with "[]".
S: dict[str, dict[int, tuple[str, str]]] = {
    "ObjectMeta": {1: ("name", "s"), 2: ("generateName", "s"), 3: ("namespace", "s"), 4: ("selfLink", "s"),
                   5: ("uid", "s"), 6: ("resourceVersion", "s"), 7: ("generation", "i"),
                   8: ("creationTimestamp", "t"), 9: ("deletionTimestamp", "t"),
                   10: ("deletionGracePeriodSeconds", "i"), 11: ("labels", "m"), 12: ("annotations", "m"),
                   13: ("ownerReferences", "[]OwnerReference"), 14: ("finalizers", "[]s")},
    "OwnerReference": {1: ("kind", "s"), 3: ("name", "s"), 4: ("uid", "s"), 5: ("apiVersion", "s"),
                       6: ("controller", "b"), 7: ("blockOwnerDeletion", "b")},
    "LabelSelector": {1: ("matchLabels", "m"), 2: ("matchExpressions", "[]LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: ("key", "s"), 2: ("operator", "s"), 3: ("values", "[]s")},
    # rbac.authorization.k8s.io/v1
    "ClusterRoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[]Subject"), 3: ("roleRef", "RoleRef")},
    "RoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[]Subject"), 3: ("roleRef", "RoleRef")},
    "Subject": {1: ("kind", "s"), 2: ("apiGroup", "s"), 3: ("name", "s"), 4: ("namespace", "s")},
    "RoleRef": {1: ("apiGroup", "s"), 2: ("kind", "s"), 3: ("name", "s")},
    "ClusterRole": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[]PolicyRule"),
                    3: ("aggregationRule", "AggregationRule")},
    "Role": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[]PolicyRule")},
    "PolicyRule": {1: ("verbs", "[]s"), 2: ("apiGroups", "[]s"), 3: ("resources", "[]s"), 4: ("resourceNames", "[]s"),
                   5: ("nonResourceURLs", "[]s")},
    "AggregationRule": {1: ("clusterRoleSelectors", "[]LabelSelector")},
    # core/v1
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec"), 3: ("status", "NamespaceStatus")},
    "NamespaceSpec": {1: ("finalizers", "[]s")},
    "NamespaceStatus": {1: ("phase", "s")},
    "ConfigMap": {1: ("metadata", "ObjectMeta"), 2: ("data", "m"), 3: ("binaryData", "my"), 4: ("immutable", "b")},
    "Secret": {1: ("metadata", "ObjectMeta"), 2: ("data", "my"), 3: ("type", "s"), 4: ("stringData", "m"),
               5: ("immutable", "b")},
    "ServiceAccount": {1: ("metadata", "ObjectMeta"), 2: ("secrets", "[]ObjectReference"),
                       3: ("imagePullSecrets", "[]LocalObjectReference"), 4: ("automountServiceAccountToken", "b")},
    "ObjectReference": {1: ("kind", "s"), 2: ("namespace", "s"), 3: ("name", "s"), 4: ("uid", "s"),
                        5: ("apiVersion", "s"), 6: ("resourceVersion", "s"), 7: ("fieldPath", "s")},
    "LocalObjectReference": {1: ("name", "s")},
    "Service": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ServiceSpec")},
    "ServiceSpec": {1: ("ports", "[]ServicePort"), 2: ("selector", "m"), 3: ("clusterIP", "s"), 4: ("type", "s"),
                    5: ("externalIPs", "[]s"), 7: ("sessionAffinity", "s"), 11: ("externalName", "s")},
    "ServicePort": {1: ("name", "s"), 2: ("protocol", "s"), 3: ("port", "i"), 4: ("targetPort", "ios"),
                    5: ("nodePort", "i")},
    "Pod": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec")},
    "PodTemplateSpec": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec")},
    "PodSpec": {2: ("containers", "[]Container"), 3: ("restartPolicy", "s"), 4: ("terminationGracePeriodSeconds", "i"),
                5: ("activeDeadlineSeconds", "i"), 6: ("dnsPolicy", "s"), 7: ("nodeSelector", "m"),
                8: ("serviceAccountName", "s"), 9: ("serviceAccount", "s"), 10: ("nodeName", "s"),
                11: ("hostNetwork", "b"), 15: ("imagePullSecrets", "[]LocalObjectReference"), 16: ("hostname", "s"),
                17: ("subdomain", "s"), 19: ("schedulerName", "s"), 20: ("initContainers", "[]Container"),
                21: ("automountServiceAccountToken", "b"), 24: ("priorityClassName", "s"),
                30: ("enableServiceLinks", "b")},
    "Container": {1: ("name", "s"), 2: ("image", "s"), 3: ("command", "[]s"), 4: ("args", "[]s"),
                  5: ("workingDir", "s"), 6: ("ports", "[]ContainerPort"), 7: ("env", "[]EnvVar"),
                  8: ("resources", "ResourceRequirements"), 13: ("terminationMessagePath", "s"),
                  14: ("imagePullPolicy", "s"), 16: ("stdin", "b"), 17: ("stdinOnce", "b"), 18: ("tty", "b"),
                  20: ("terminationMessagePolicy", "s")},
    "ContainerPort": {1: ("name", "s"), 2: ("hostPort", "i"), 3: ("containerPort", "i"), 4: ("protocol", "s"),
                      5: ("hostIP", "s")},
    "EnvVar": {1: ("name", "s"), 2: ("value", "s")},
    "ResourceRequirements": {1: ("limits", "q"), 2: ("requests", "q")},
    # apps/v1
    "Deployment": {1: ("metadata", "ObjectMeta"), 2: ("spec", "DeploymentSpec")},
    "DeploymentSpec": {1: ("replicas", "i"), 2: ("selector", "LabelSelector"), 3: ("template", "PodTemplateSpec"),
                       4: ("strategy", "DeploymentStrategy"), 5: ("minReadySeconds", "i"),
                       6: ("revisionHistoryLimit", "i"), 7: ("paused", "b"), 9: ("progressDeadlineSeconds", "i")},
    "DeploymentStrategy": {1: ("type", "s"), 2: ("rollingUpdate", "RollingUpdateDeployment")},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "ios"), 2: ("maxSurge", "ios")},
    # authorization.k8s.io/v1 and authentication.k8s.io/v1
    "SelfSubjectAccessReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SelfSubjectAccessReviewSpec")},
    "SelfSubjectAccessReviewSpec": {1: ("resourceAttributes", "ResourceAttributes"),
                                    2: ("nonResourceAttributes", "NonResourceAttributes")},
    "SubjectAccessReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SubjectAccessReviewSpec")},
    "LocalSubjectAccessReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SubjectAccessReviewSpec")},
    "SubjectAccessReviewSpec": {1: ("resourceAttributes", "ResourceAttributes"),
                                2: ("nonResourceAttributes", "NonResourceAttributes"), 3: ("user", "s"),
                                4: ("groups", "[]s"), 6: ("uid", "s")},
    "ResourceAttributes": {1: ("namespace", "s"), 2: ("verb", "s"), 3: ("group", "s"), 4: ("version", "s"),
                           5: ("resource", "s"), 6: ("subresource", "s"), 7: ("name", "s")},
    "NonResourceAttributes": {1: ("path", "s"), 2: ("verb", "s")},
    "SelfSubjectRulesReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SelfSubjectRulesReviewSpec")},
    "SelfSubjectRulesReviewSpec": {1: ("namespace", "s")},
    "SelfSubjectReview": {1: ("metadata", "ObjectMeta")},
    "TokenReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "TokenReviewSpec")},
    "TokenRequest": {1: ("metadata", "ObjectMeta"), 2: ("spec", "TokenRequestSpec")},
    "Eviction": {1: ("metadata", "ObjectMeta")},
    "TokenRequestSpec": {1: ("audiences", "[]s"), 3: ("boundObjectRef", "BoundObjectReference"),
                         4: ("expirationSeconds", "i")},
    "BoundObjectReference": {1: ("kind", "s"), 2: ("apiVersion", "s"), 3: ("name", "s"), 4: ("uid", "s")},
    "TokenReviewSpec": {1: ("token", "s"), 2: ("audiences", "[]s")},
}
# Pointer fields upstream: a zero value on the wire was set on purpose.
KEEP_ZERO = {"replicas", "revisionHistoryLimit", "terminationGracePeriodSeconds", "automountServiceAccountToken",
             "enableServiceLinks",
             "immutable", "progressDeadlineSeconds", "activeDeadlineSeconds", "deletionGracePeriodSeconds",
             "controller", "blockOwnerDeletion"}
# Top-level kinds we accept and the apiVersions they belong to.
KINDS = {
    "ClusterRoleBinding", "RoleBinding", "ClusterRole", "Role", "Namespace", "ConfigMap", "Secret", "ServiceAccount",
    "Service", "Pod", "Deployment", "SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview",
    "SelfSubjectRulesReview", "SelfSubjectReview", "TokenReview", "TokenRequest", "Eviction",
}


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def varint(self) -> int:
        shift = result = 0
        while True:
            if self.pos >= len(self.data) or shift > 63:
                raise bad_request("protobuf: truncated or overlong varint")
            b = self.data[self.pos]
            self.pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise bad_request("protobuf: field runs past the end of the message")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def fields(self) -> list[tuple[int, int, Any]]:
        out = []
        while self.pos < len(self.data):
            key = self.varint()
            number, wire = key >> 3, key & 7
            if number == 0:
                raise bad_request("protobuf: field number 0")
            if wire == 0:
                out.append((number, wire, self.varint()))
            elif wire == 2:
                out.append((number, wire, self.take(self.varint())))
            elif wire == 1:
                out.append((number, wire, self.take(8)))
            elif wire == 5:
                out.append((number, wire, self.take(4)))
            else:
                raise bad_request(f"protobuf: unsupported wire type {wire}")
        return out


def _quantity_entry(raw: bytes) -> tuple[str, str]:
    """A ``map<string, resource.Quantity>`` entry; Quantity is ``{1 string}``."""
    key, value = "", ""
    for n, _w, v in _Reader(raw).fields():
        if n == 1:
            key = _text(v)
        elif n == 2 and isinstance(v, bytes):
            value = next((_text(x) for m, _x, x in _Reader(v).fields() if m == 1), "")
    return key, value


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _text(raw: Any) -> str:
    if not isinstance(raw, bytes):
        raise bad_request("protobuf: expected a length-delimited string")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("protobuf: invalid UTF-8 in a string field") from None


def _map_entry(raw: bytes, value_bytes: bool, depth: int) -> tuple[str, Any]:
    key, value = "", b"" if value_bytes else ""
    for n, _w, v in _Reader(raw).fields():
        if n == 1:
            key = _text(v)
        elif n == 2:
            value = v if value_bytes else _text(v)
    if value_bytes:
        return key, base64.b64encode(value if isinstance(value, bytes) else b"").decode()
    return key, value


def _scalar(kind: str, wire: int, raw: Any, depth: int) -> Any:
    if kind == "s":
        return _text(raw)
    if kind == "i":
        if wire != 0:
            raise bad_request("protobuf: expected a varint")
        return _signed(raw)
    if kind == "b":
        if wire != 0:
            raise bad_request("protobuf: expected a varint")
        return bool(raw)
    if kind == "y":
        return base64.b64encode(raw).decode()
    if kind == "t":
        seconds = 0
        for n, _w, v in _Reader(raw).fields():
            if n == 1:
                seconds = _signed(v)
        return rfc3339(seconds) if seconds else None  # gogo sends the zero Time for "null"
    if kind == "ios":
        typ, ival, sval = 0, 0, ""
        for n, _w, v in _Reader(raw).fields():
            if n == 1:
                typ = v
            elif n == 2:
                ival = _signed(v)
            elif n == 3:
                sval = _text(v)
        return ival if typ == 0 else sval
    return decode_message(kind, raw, depth + 1)


def decode_message(name: str, data: bytes, depth: int = 0) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise bad_request("protobuf: message nested too deeply")
    schema = S[name]
    out: dict[str, Any] = {}
    for number, wire, raw in _Reader(data).fields():
        spec = schema.get(number)
        if spec is None:
            continue  # a field we do not model: skipped by wire type
        field, kind = spec
        if kind in ("m", "my", "q"):
            if not isinstance(raw, bytes):
                raise bad_request("protobuf: expected a map entry")
            if kind == "q":
                k, v = _quantity_entry(raw)
            else:
                k, v = _map_entry(raw, kind == "my", depth)
            out.setdefault(field, {})[k] = v
            continue
        if kind.startswith("[]"):
            item_kind = kind[2:]
            if item_kind in ("s", "i", "b") or item_kind in S or item_kind in ("y", "t", "ios"):
                out.setdefault(field, []).append(_scalar(item_kind, wire, raw, depth))
            continue
        if kind in S and not isinstance(raw, bytes):
            raise bad_request("protobuf: expected an embedded message")
        out[field] = _scalar(kind, wire, raw, depth)
    return {k: v for k, v in out.items()
            if v is not None and (k in KEEP_ZERO or v not in ("", 0, False) or isinstance(v, dict))}


def decode_envelope(body: bytes) -> dict[str, Any]:
    """The JSON form of a protobuf-encoded object (``k8s\\0`` + runtime.Unknown)."""
    if not body.startswith(MAGIC):
        raise bad_request("protobuf: the body does not start with the Kubernetes protobuf magic number")
    api_version = kind = ""
    raw = b""
    for number, _wire, value in _Reader(body[len(MAGIC):]).fields():
        if number == 1 and isinstance(value, bytes):
            for n, _w, v in _Reader(value).fields():
                if n == 1:
                    api_version = _text(v)
                elif n == 2:
                    kind = _text(v)
        elif number == 2 and isinstance(value, bytes):
            raw = value
        elif number == 3 and isinstance(value, bytes) and value:
            raise bad_request("protobuf: content encodings are not supported")
    if kind not in KINDS:
        raise KubeStatus(415, "UnsupportedMediaType",
                         f"the protobuf body of kind {kind!r} is not supported by this server; send JSON")
    obj = decode_message(kind, raw)
    obj = {"apiVersion": api_version, "kind": kind, **obj}
    if kind == "Namespace":
        obj.setdefault("status", {})
    return obj
