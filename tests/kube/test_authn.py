"""The authentication chain in process: static token, webhook TokenReview (a fake module
standing in for ``akslocal.webhook.review``), impersonation checks, 401s."""

from __future__ import annotations

import asyncio
import sys
import types
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from akslocal.clock import FixedClock
from akslocal.entropy import Entropy
from akslocal.kube import provision
from akslocal.kube.routes import routes
from akslocal.server.context import Services
from akslocal.server.settings import Settings
from akslocal.store import open_store

USERS = {
    "alice-token": {"username": "alice@akslocal.onmicrosoft.com", "uid": "u-alice", "groups": ["g-devs"],
                    "extra": {"oid": ["u-alice"]}},
    "bob-token": {"username": "bob@akslocal.onmicrosoft.com", "groups": ["g-admins"]},
}


@pytest.fixture
def services(tmp_path: Path) -> Services:
    store = open_store(f"sqlite:///{tmp_path}/s.db")
    return Services(store, FixedClock(), Entropy(seed=1), Settings(data_dir=tmp_path))


@pytest.fixture
def fake_webhook(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    module = types.ModuleType("akslocal.webhook.review")

    async def review_token(services: Any, auth: provision.ClusterAuth, token: str) -> dict:
        calls.append((auth.mode, token))
        if token in USERS:
            return {"authenticated": True, "user": USERS[token]}
        return {"authenticated": False, "error": "invalid token"}

    module.review_token = review_token  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "akslocal.webhook.review", module)
    return calls


def _cluster(services: Services, **kw: Any) -> provision.ClusterCredentials:
    spec = provision.ClusterSpec(
        cluster_id=kw.pop("cluster_id", "c1"), name="aks", resource_group="rg", kubernetes_version="1.32.4",
        node_count=kw.pop("node_count", 1), auth=kw.pop("auth", provision.ClusterAuth(
            mode="managed", tenant_id="t", server_app_id="6dae42f8-4368-4678-94ff-3960e28e3630")), **kw)
    return provision.provision_cluster(services, spec)


def _call(services: Services, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
    app = Starlette(routes=routes(services))
    headers = dict(kw.pop("headers", {}))
    if token:
        headers["Authorization"] = f"Bearer {token}"

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://edge") as c:
            return await c.request(method, path, headers=headers, **kw)

    return asyncio.run(go())


def test_anonymous_and_bad_tokens_get_401(services: Services, fake_webhook: list) -> None:
    _cluster(services)
    for token in (None, "nope"):
        r = _call(services, "GET", "/clusters/c1/api/v1/pods", token)
        assert r.status_code == 401
        assert r.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
    r = _call(services, "GET", "/clusters/c1/version", headers={"Authorization": "Basic YTpi"})
    assert r.status_code == 401


def test_static_admin_token_is_a_cluster_admin(services: Services, fake_webhook: list) -> None:
    creds = _cluster(services)
    r = _call(services, "POST", "/clusters/c1/apis/authentication.k8s.io/v1/selfsubjectreviews",
              creds.admin_token, json={"metadata": {}})
    assert r.status_code == 201
    assert r.json()["status"]["userInfo"] == {"username": "clusterAdmin",
                                              "groups": ["system:masters", "system:authenticated"]}
    assert fake_webhook == []  # the admin token never reaches the webhook
    record = provision.get_cluster(services, "c1")
    assert creds.admin_token not in str(record)  # only its hash is stored


def test_webhook_user_gets_system_authenticated(services: Services, fake_webhook: list) -> None:
    _cluster(services)
    r = _call(services, "POST", "/clusters/c1/apis/authentication.k8s.io/v1/selfsubjectreviews", "alice-token",
              json={"metadata": {}})
    assert r.json()["status"]["userInfo"] == {
        "username": "alice@akslocal.onmicrosoft.com", "uid": "u-alice", "groups": ["g-devs", "system:authenticated"],
        "extra": {"oid": ["u-alice"]}}
    assert fake_webhook == [("managed", "alice-token")]
    denied = _call(services, "GET", "/clusters/c1/api/v1/namespaces/kube-system/pods", "alice-token")
    assert denied.status_code == 403
    assert denied.json()["message"] == (
        'pods is forbidden: User "alice@akslocal.onmicrosoft.com" cannot list resource "pods" in API group "" in '
        'the namespace "kube-system"')
    assert denied.json()["details"] == {"kind": "pods"}


def test_admin_group_binding_makes_a_group_cluster_admin(services: Services, fake_webhook: list) -> None:
    _cluster(services, admin_group_ids=("g-admins",))
    ok = _call(services, "GET", "/clusters/c1/api/v1/nodes", "bob-token")
    assert ok.status_code == 200 and len(ok.json()["items"]) == 1
    provision.update_cluster(services, "c1", admin_group_ids=())
    assert _call(services, "GET", "/clusters/c1/api/v1/nodes", "bob-token").status_code == 403


def test_cluster_without_entra_refuses_bearer_tokens(services: Services, fake_webhook: list) -> None:
    _cluster(services, auth=provision.ClusterAuth(mode="none"))
    assert _call(services, "GET", "/clusters/c1/api", "alice-token").status_code == 401
    assert fake_webhook == []


def test_local_accounts_disabled_refuses_the_admin_token(services: Services, fake_webhook: list) -> None:
    creds = _cluster(services, local_accounts=False)
    assert _call(services, "GET", "/clusters/c1/api", creds.admin_token).status_code == 401
    provision.update_cluster(services, "c1", local_accounts=True)
    assert _call(services, "GET", "/clusters/c1/api", creds.admin_token).status_code == 200


def test_admin_token_of_one_cluster_is_refused_by_another(services: Services, fake_webhook: list) -> None:
    one = _cluster(services, cluster_id="one")
    _cluster(services, cluster_id="two")
    assert _call(services, "GET", "/clusters/one/api", one.admin_token).status_code == 200
    assert _call(services, "GET", "/clusters/two/api", one.admin_token).status_code == 401


def test_impersonation_needs_the_impersonate_verb(services: Services, fake_webhook: list) -> None:
    creds = _cluster(services)
    r = _call(services, "GET", "/clusters/c1/api/v1/pods", "alice-token",
              headers={"Impersonate-User": "bob"})
    assert r.status_code == 403
    assert r.json()["message"] == ('users "bob" is forbidden: User "alice@akslocal.onmicrosoft.com" cannot '
                                   'impersonate resource "users" in API group "" at the cluster scope')
    group = _call(services, "GET", "/clusters/c1/api/v1/pods", creds.admin_token,
                  headers={"Impersonate-Group": "g"})
    assert group.status_code == 500  # groups without a user, as upstream
    as_sa = _call(services, "POST", "/clusters/c1/apis/authentication.k8s.io/v1/selfsubjectreviews",
                  creds.admin_token, headers={"Impersonate-User": "system:serviceaccount:default:robot"},
                  json={"metadata": {}})
    assert as_sa.json()["status"]["userInfo"]["groups"] == [
        "system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"]


def test_subject_access_reviews(services: Services, fake_webhook: list) -> None:
    creds = _cluster(services)
    base = "/clusters/c1/apis/authorization.k8s.io/v1"
    r = _call(services, "POST", f"{base}/subjectaccessreviews", creds.admin_token,
              json={"spec": {"user": "x", "groups": ["system:masters"],
                             "resourceAttributes": {"verb": "get", "resource": "pods"}}})
    assert r.status_code == 201 and r.json()["status"] == {"allowed": True}
    r = _call(services, "POST", f"{base}/subjectaccessreviews", creds.admin_token,
              json={"spec": {"user": "x", "nonResourceAttributes": {"verb": "get", "path": "/healthz"},
                             "groups": ["system:authenticated"]}})
    assert r.json()["status"]["allowed"] is True
    assert r.json()["status"]["reason"].startswith("RBAC: allowed by ClusterRoleBinding ")
    local = _call(services, "POST", f"{base}/namespaces/default/localsubjectaccessreviews", creds.admin_token,
                  json={"spec": {"user": "x", "resourceAttributes": {"verb": "get", "resource": "pods",
                                                                     "namespace": "other"}}})
    assert local.status_code == 422
    tr = _call(services, "POST", "/clusters/c1/apis/authentication.k8s.io/v1/tokenreviews", creds.admin_token,
               json={"spec": {"token": "alice-token"}})
    assert tr.json()["status"]["authenticated"] is True
    assert tr.json()["status"]["user"]["username"] == "alice@akslocal.onmicrosoft.com"
    bad = _call(services, "POST", "/clusters/c1/apis/authentication.k8s.io/v1/tokenreviews", creds.admin_token,
                json={"spec": {"token": "zzz"}})
    assert bad.json()["status"].get("authenticated") is not True


def test_unknown_cluster_is_404(services: Services) -> None:
    r = _call(services, "GET", "/clusters/nope/api")
    assert r.status_code == 404 and r.json()["reason"] == "NotFound"


def test_health_and_discovery_for_an_authenticated_user(services: Services, fake_webhook: list) -> None:
    _cluster(services)
    assert _call(services, "GET", "/clusters/c1/healthz", "alice-token").text == "ok"
    agg = _call(services, "GET", "/clusters/c1/apis", "alice-token",
                headers={"Accept": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                                   "application/json"})
    assert agg.headers["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    groups = [g["metadata"]["name"] for g in agg.json()["items"]]
    assert groups == ["apps", "authentication.k8s.io", "authorization.k8s.io", "coordination.k8s.io",
                      "rbac.authorization.k8s.io"]
    legacy = _call(services, "GET", "/clusters/c1/api/v1", "alice-token").json()
    pods = next(r for r in legacy["resources"] if r["name"] == "pods")
    assert pods["shortNames"] == ["po"] and pods["categories"] == ["all"]
    v2beta1 = _call(services, "GET", "/clusters/c1/api", "alice-token",
                    headers={"Accept": "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"})
    assert v2beta1.json()["apiVersion"] == "apidiscovery.k8s.io/v2beta1"
    index = _call(services, "GET", "/clusters/c1/openapi/v3", "alice-token").json()
    url = index["paths"]["apis/rbac.authorization.k8s.io/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/rbac.authorization.k8s.io/v1?hash=")
    doc = _call(services, "GET", "/clusters/c1" + url.split("?")[0], "alice-token").json()
    op = doc["paths"]["/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/{name}"]["patch"]
    assert op["x-kubernetes-group-version-kind"]["kind"] == "ClusterRoleBinding"
    assert any(p["name"] == "fieldValidation" for p in op["parameters"])


def test_service_account_tokens_expire_and_stay_in_their_cluster(services: Services, fake_webhook: list) -> None:
    one = _cluster(services, cluster_id="one")
    _cluster(services, cluster_id="two")
    _call(services, "POST", "/clusters/one/api/v1/namespaces/default/serviceaccounts", one.admin_token,
          json={"metadata": {"name": "bot"}})
    r = _call(services, "POST", "/clusters/one/api/v1/namespaces/default/serviceaccounts/bot/token",
              one.admin_token, json={"spec": {"expirationSeconds": 600}})
    assert r.status_code == 201 and r.json()["kind"] == "TokenRequest"
    token = r.json()["status"]["token"]
    me = _call(services, "POST", "/clusters/one/apis/authentication.k8s.io/v1/selfsubjectreviews", token,
               json={"metadata": {}})
    assert me.json()["status"]["userInfo"]["username"] == "system:serviceaccount:default:bot"
    assert _call(services, "GET", "/clusters/two/api", token).status_code == 401
    head, body, sig = token.split(".")
    tampered = f"{head}.{body[:-2]}AA.{sig}"
    assert _call(services, "GET", "/clusters/one/api", tampered).status_code == 401
    services.clock.advance(601)  # type: ignore[attr-defined]
    assert _call(services, "GET", "/clusters/one/api", token).status_code == 401


def test_aggregated_discovery_etag_revalidation(services: Services, fake_webhook: list) -> None:
    _cluster(services)
    accept = {"Accept": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"}
    first = _call(services, "GET", "/clusters/c1/api", "alice-token", headers=accept)
    etag = first.headers["etag"]
    again = _call(services, "GET", "/clusters/c1/api", "alice-token", headers={**accept, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
