"""Discovery documents (aggregated v2/v2beta1 and legacy), /version and a minimal OpenAPI.

The OpenAPI v3 documents are generated at runtime and only as rich as ``kubectl apply``
needs (contract §2.2): one PATCH operation per kind tagged with its GVK and a
``fieldValidation`` parameter, which makes kubectl use server-side field validation.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from akslocal.kube.resources import GROUPS, SUBRESOURCE_VERBS, ResourceType, group_versions, resources_of

AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"


def _sub_kind(rt: ResourceType, sub: str) -> dict[str, str]:
    if sub == "log":
        return {"group": "", "version": "v1", "kind": "Pod"}
    if sub == "eviction":
        return {"group": "policy", "version": "v1", "kind": "Eviction"}
    if sub == "token":
        return {"group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"}
    if sub == "scale":
        return {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    return {"group": rt.group, "version": rt.version, "kind": rt.kind}


def _aggregated_resource(rt: ResourceType) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        doc["shortNames"] = list(rt.short_names)
    if rt.categories:
        doc["categories"] = list(rt.categories)
    if rt.subresources:
        doc["subresources"] = [
            {"subresource": s, "responseKind": _sub_kind(rt, s),
             "verbs": list(SUBRESOURCE_VERBS[s])}
            for s in rt.subresources
        ]
    return doc


def aggregated(core: bool, version: str) -> dict[str, Any]:
    groups = [""] if core else [g for g in GROUPS if g]
    items = []
    for g in groups:
        versions = [v for (gg, v) in group_versions() if gg == g]
        items.append({
            "metadata": {"name": g, "creationTimestamp": None},
            "versions": [{"version": v, "freshness": "Current",
                          "resources": [_aggregated_resource(r) for r in resources_of(g, v)]} for v in versions],
        })
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}", "metadata": {},
            "items": items}


def api_versions() -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.0.0.1:443"}]}


def _group(g: str) -> dict[str, Any]:
    versions = [{"groupVersion": f"{g}/{v}", "version": v} for (gg, v) in group_versions() if gg == g]
    return {"name": g, "versions": versions, "preferredVersion": versions[0]}


def api_group_list() -> dict[str, Any]:
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group(g) for g in GROUPS if g]}


def api_group(g: str) -> dict[str, Any] | None:
    if g not in GROUPS or not g:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(g)}


def resource_list(g: str, v: str) -> dict[str, Any] | None:
    rts = resources_of(g, v)
    if not rts:
        return None
    resources: list[dict[str, Any]] = []
    for rt in rts:
        entry: dict[str, Any] = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
                                 "kind": rt.kind, "verbs": list(rt.verbs)}
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        for s in rt.subresources:
            sk = _sub_kind(rt, s)
            sub: dict[str, Any] = {"name": f"{rt.plural}/{s}", "singularName": "", "namespaced": rt.namespaced,
                                   "kind": sk["kind"],
                                   "verbs": list(SUBRESOURCE_VERBS[s])}
            if s in ("scale", "token", "eviction"):
                sub["group"], sub["version"] = sk["group"], sk["version"]
            resources.append(sub)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{g}/{v}" if g else v,
            "resources": resources}


def version_info(kubernetes_version: str) -> dict[str, Any]:
    major, minor = [*kubernetes_version.split("."), "0", "0"][:2]
    return {
        "major": major, "minor": minor, "gitVersion": f"v{kubernetes_version}",
        "gitCommit": hashlib.sha1(kubernetes_version.encode(), usedforsecurity=False).hexdigest(),
        "gitTreeState": "clean", "buildDate": "2025-06-01T00:00:00Z", "goVersion": "go1.23.8",
        "compiler": "gc", "platform": "linux/amd64",
    }


# --- OpenAPI v3 -----------------------------------------------------------------------------


def _gv_path(g: str, v: str) -> str:
    return f"apis/{g}/{v}" if g else f"api/{v}"


def openapi_v3_document(g: str, v: str, kubernetes_version: str) -> dict[str, Any] | None:
    rts = [r for r in resources_of(g, v) if "patch" in r.verbs]
    if not resources_of(g, v):
        return None
    paths: dict[str, Any] = {}
    params = [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
              for n in ("dryRun", "fieldManager", "fieldValidation", "force")]
    for rt in rts:
        base = f"/{_gv_path(g, v)}/" + ("namespaces/{namespace}/" if rt.namespaced else "")
        gvk = {"group": g, "version": v, "kind": rt.kind}
        op = {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "patch", "parameters": params,
              "operationId": f"patch{rt.kind}", "responses": {"200": {"description": "OK"},
                                                             "201": {"description": "Created"}}}
        paths[base + rt.plural + "/{name}"] = {"patch": op}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": f"v{kubernetes_version}"},
            "paths": paths, "components": {"schemas": {}}}


def openapi_v3_index(kubernetes_version: str) -> dict[str, Any]:
    out = {}
    for g, v in group_versions():
        doc = openapi_v3_document(g, v, kubernetes_version)
        digest = hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:128].upper()
        out[_gv_path(g, v)] = {"serverRelativeURL": f"/openapi/v3/{_gv_path(g, v)}?hash={digest}"}
    return {"paths": out}
