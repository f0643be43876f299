"""Hostile input over HTTP: the upstream Status, never a 500, never a partial write."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.live import LiveServer

pytestmark = pytest.mark.slow
PROTOBUF = "application/vnd.kubernetes.protobuf"


@pytest.fixture(scope="module")
def http(kube_server: LiveServer, cluster: dict[str, str]) -> httpx.Client:
    c = kube_server.client(headers={"Authorization": f"Bearer {cluster['adminToken']}"})
    c.base_url = httpx.URL(cluster["serverUrl"] + "/")
    return c


def _status(r: httpx.Response, code: int, reason: str) -> dict:
    assert r.status_code == code, r.text
    body = r.json()
    assert body["kind"] == "Status" and body["status"] == "Failure" and body["reason"] == reason
    assert body["code"] == code
    return body


def _no_configmap(http: httpx.Client, name: str) -> None:
    assert http.get(f"api/v1/namespaces/default/configmaps/{name}").status_code == 404


def test_malformed_json(http: httpx.Client) -> None:
    r = http.post("api/v1/namespaces/default/configmaps", content=b'{"metadata": {"name": "x"',
                  headers={"Content-Type": "application/json"})
    _status(r, 400, "BadRequest")
    _no_configmap(http, "x")


def test_deeply_nested_json_is_a_400(http: httpx.Client) -> None:
    body = b'{"metadata":{"name":"deep"},"data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = http.post("api/v1/namespaces/default/configmaps", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    _no_configmap(http, "deep")


def test_malformed_protobuf(http: httpx.Client) -> None:
    for body in (b"not protobuf", b"k8s\x00\x0a\xff\xff\xff\xff\x0f", b"k8s\x00\x12\x05ab"):
        r = http.post("api/v1/namespaces", content=body, headers={"Content-Type": PROTOBUF})
        _status(r, 400, "BadRequest")


def test_protobuf_of_an_unsupported_kind_is_415(http: httpx.Client) -> None:
    type_meta = b"\x0a\x02v1" + b"\x12\x04Node"
    body = b"k8s\x00" + b"\x0a" + bytes([len(type_meta)]) + type_meta + b"\x12\x00"
    r = http.post("api/v1/nodes", content=body, headers={"Content-Type": PROTOBUF})
    _status(r, 415, "UnsupportedMediaType")


def test_malformed_and_exploding_yaml(http: httpx.Client) -> None:
    bad = http.patch("api/v1/namespaces/default/configmaps/y?fieldManager=t", content=b"a: [unclosed",
                     headers={"Content-Type": "application/apply-patch+yaml"})
    _status(bad, 400, "BadRequest")
    laughs = b'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n".encode()
        for i in range(9))
    boom = http.patch("api/v1/namespaces/default/configmaps/y?fieldManager=t", content=laughs,
                      headers={"Content-Type": "application/apply-patch+yaml"})
    _status(boom, 400, "BadRequest")
    _no_configmap(http, "y")


@pytest.mark.parametrize("name", ["UPPER", "under_score", "-lead", "trail-", "a" * 254, "dot..dot"])
def test_names_that_are_not_dns_subdomains(http: httpx.Client, name: str) -> None:
    r = http.post("api/v1/namespaces/default/configmaps", json={"metadata": {"name": name}})
    body = _status(r, 422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "metadata.name"


def test_namespace_names_must_be_dns_labels(http: httpx.Client) -> None:
    r = http.post("api/v1/namespaces", json={"metadata": {"name": "has.dot"}})
    body = _status(r, 422, "Invalid")
    assert body["message"].startswith('Namespace "has.dot" is invalid: metadata.name: Invalid value: "has.dot": '
                                      "a lowercase RFC 1123 label must consist of")


def test_missing_name(http: httpx.Client) -> None:
    r = http.post("api/v1/namespaces/default/configmaps", json={"data": {"a": "b"}})
    body = _status(r, 422, "Invalid")
    assert body["message"] == ('ConfigMap "" is invalid: metadata.name: Required value: name or generateName is '
                               "required")


def test_generate_name(http: httpx.Client) -> None:
    r = http.post("api/v1/namespaces/default/configmaps", json={"metadata": {"generateName": "gen-"}})
    assert r.status_code == 201
    assert r.json()["metadata"]["name"].startswith("gen-") and len(r.json()["metadata"]["name"]) == 9


def test_huge_body_is_413(http: httpx.Client) -> None:
    big = json.dumps({"metadata": {"name": "big"}, "data": {"k": "x" * (3 * 1024 * 1024 + 10)}})
    r = http.post("api/v1/namespaces/default/configmaps", content=big, headers={"Content-Type": "application/json"})
    _status(r, 413, "RequestEntityTooLarge")
    _no_configmap(http, "big")


def test_wrong_kind_or_version_for_the_url(http: httpx.Client) -> None:
    r = http.post("api/v1/namespaces/default/configmaps", json={"apiVersion": "v1", "kind": "Secret",
                                                               "metadata": {"name": "wk"}})
    _status(r, 400, "BadRequest")
    r = http.post("api/v1/namespaces/default/configmaps", json={"apiVersion": "apps/v1", "kind": "ConfigMap",
                                                               "metadata": {"name": "wk"}})
    body = _status(r, 400, "BadRequest")
    assert body["message"] == "the API version in the data (apps/v1) does not match the expected API version (v1)"
    _no_configmap(http, "wk")


def test_namespace_mismatch(http: httpx.Client) -> None:
    r = http.post("api/v1/namespaces/default/configmaps", json={"metadata": {"name": "nsm", "namespace": "other"}})
    body = _status(r, 400, "BadRequest")
    assert body["message"] == "the namespace of the provided object does not match the namespace sent on the request"


def test_strict_field_validation_writes_nothing(http: httpx.Client) -> None:
    r = http.post("api/v1/namespaces/default/configmaps?fieldValidation=Strict",
                  json={"metadata": {"name": "strict"}, "data": {}, "dta": {}})
    body = _status(r, 400, "BadRequest")
    assert body["message"] == 'strict decoding error: unknown field "dta"'
    _no_configmap(http, "strict")
    warn = http.post("api/v1/namespaces/default/configmaps?fieldValidation=Warn",
                     json={"metadata": {"name": "warned"}, "dta": {}})
    assert warn.status_code == 201 and 'unknown field \\"dta\\"' in warn.headers["warning"]


def test_create_in_a_missing_namespace(http: httpx.Client) -> None:
    r = http.post("api/v1/namespaces/nope/configmaps", json={"metadata": {"name": "x"}})
    body = _status(r, 404, "NotFound")
    assert body["message"] == 'namespaces "nope" not found'


def test_bad_selectors_and_paths(http: httpx.Client) -> None:
    _status(http.get("api/v1/pods", params={"labelSelector": "a in (b"}), 400, "BadRequest")
    _status(http.get("api/v1/pods", params={"labelSelector": "bad key!=x"}), 400, "BadRequest")
    _status(http.get("api/v1/pods", params={"fieldSelector": "spec.bogus=x"}), 400, "BadRequest")
    _status(http.get("api/v1/namespaces/default/configmaps/..%2f..%2fx"), 404, "NotFound")
    _status(http.get("api/v1/nodes/a/b/c/d"), 404, "NotFound")
    _status(http.get("apis/nosuch.group/v1/things"), 404, "NotFound")


def test_update_conflict_on_stale_resource_version(http: httpx.Client) -> None:
    created = http.post("api/v1/namespaces/default/configmaps", json={"metadata": {"name": "rv"}}).json()
    stale = dict(created, data={"a": "1"})
    stale["metadata"] = dict(created["metadata"], resourceVersion="1")
    r = http.put("api/v1/namespaces/default/configmaps/rv", json=stale)
    body = _status(r, 409, "Conflict")
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "rv": the object has been modified; '
                               "please apply your changes to the latest version and try again")


def test_invalid_json_patch_changes_nothing(http: httpx.Client) -> None:
    http.post("api/v1/namespaces/default/configmaps", json={"metadata": {"name": "jp"}, "data": {"a": "1"}})
    r = http.patch("api/v1/namespaces/default/configmaps/jp",
                   content=json.dumps([{"op": "replace", "path": "/data/a", "value": "2"},
                                       {"op": "remove", "path": "/data/missing"}]),
                   headers={"Content-Type": "application/json-patch+json"})
    assert r.status_code == 422
    assert http.get("api/v1/namespaces/default/configmaps/jp").json()["data"] == {"a": "1"}
    bad_type = http.patch("api/v1/namespaces/default/configmaps/jp", content=b"{}",
                          headers={"Content-Type": "text/plain"})
    _status(bad_type, 415, "UnsupportedMediaType")


def test_binding_validation(http: httpx.Client) -> None:
    r = http.post("apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                  json={"metadata": {"name": "bad"}, "roleRef": {"kind": "Role", "name": "x",
                                                                 "apiGroup": "rbac.authorization.k8s.io"}})
    _status(r, 422, "Invalid")
    assert http.get("apis/rbac.authorization.k8s.io/v1/clusterrolebindings/bad").status_code == 404


@pytest.mark.parametrize(("path", "body", "fragment"), [
    ("api/v1/namespaces/default/pods", {"metadata": {"name": "p"}, "spec": {"containers": "nginx"}},
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field '
     ".spec.containers of type array"),
    ("apis/apps/v1/namespaces/default/deployments",
     {"metadata": {"name": "d"}, "spec": {"replicas": "two", "selector": {}, "template": {}}},
     'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct '
     "field .spec.replicas of type integer"),
    ("api/v1/namespaces/default/services", {"metadata": {"name": "s"}, "spec": {"ports": {"port": 80}}},
     "field .spec.ports of type array"),
    ("api/v1/namespaces/default/secrets", {"metadata": {"name": "s"}, "data": {"k": "not base64!"}},
     "illegal base64 data"),
    ("apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {"metadata": {"name": "b"}, "subjects": 5,
                                                               "roleRef": {"kind": "ClusterRole", "name": "v"}},
     "field .subjects of type array"),
    ("api/v1/namespaces/default/configmaps", {"metadata": {"name": "c", "labels": {"a": 1}}},
     "field .metadata.labels of type map[string]string"),
    ("api/v1/namespaces/default/configmaps", {"metadata": "c"}, "field .metadata of type object"),
])
def test_wrong_json_types_are_400(http: httpx.Client, path: str, body: dict, fragment: str) -> None:
    r = http.post(path, json=body)
    status = _status(r, 400, "BadRequest")
    assert fragment in status["message"]


def test_negative_replicas_is_invalid(http: httpx.Client) -> None:
    body = {"metadata": {"name": "neg"}, "spec": {"replicas": -1, "selector": {"matchLabels": {"a": "b"}},
                                                 "template": {"metadata": {"labels": {"a": "b"}},
                                                              "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    r = http.post("apis/apps/v1/namespaces/default/deployments", json=body)
    assert _status(r, 422, "Invalid")["message"] == ('Deployment.apps "neg" is invalid: spec.replicas: Invalid value: '
                                                     "-1: must be greater than or equal to 0")


def test_odd_pod_status_never_breaks_listing(http: httpx.Client) -> None:
    pod = {"metadata": {"name": "odd"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    assert http.post("api/v1/namespaces/default/pods", json=pod).status_code == 201
    r = http.patch("api/v1/namespaces/default/pods/odd/status", content=json.dumps(
        {"status": {"containerStatuses": "weird"}}), headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200
    table = http.get("api/v1/namespaces/default/pods",
                     headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert table.status_code == 200
    assert ["odd", "<unknown>"] == table.json()["rows"][0]["cells"][:2]


def test_list_pagination_with_limit_and_continue(http: httpx.Client) -> None:
    for i in range(5):
        http.post("api/v1/namespaces/default/configmaps", json={"metadata": {"name": f"page-{i}",
                                                                             "labels": {"page": "yes"}}})
    names: list[str] = []
    token = ""
    pages = 0
    while True:
        params = {"limit": "2", "labelSelector": "page=yes"}
        if token:
            params["continue"] = token
        doc = http.get("api/v1/namespaces/default/configmaps", params=params).json()
        names += [i["metadata"]["name"] for i in doc["items"]]
        pages += 1
        token = doc["metadata"].get("continue", "")
        if not token:
            break
    assert names == [f"page-{i}" for i in range(5)] and pages == 3
    _status(http.get("api/v1/namespaces/default/configmaps", params={"continue": "%%%"}), 400, "BadRequest")


def test_immutable_config_map(http: httpx.Client) -> None:
    http.post("api/v1/namespaces/default/configmaps", json={"metadata": {"name": "frozen"}, "data": {"a": "1"},
                                                           "immutable": True})
    r = http.patch("api/v1/namespaces/default/configmaps/frozen", content=b'{"data":{"a":"2"}}',
                   headers={"Content-Type": "application/merge-patch+json"})
    body = _status(r, 422, "Invalid")
    assert body["message"] == ('ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` '
                               "is set")
    assert http.get("api/v1/namespaces/default/configmaps/frozen").json()["data"] == {"a": "1"}
