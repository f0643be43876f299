"""Resource requests: dispatch a parsed request to :class:`~akslocal.kube.api.ClusterApi`
and render objects, lists, Tables and watch streams."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from akslocal.kube import authz, objects, reviews, tables
from akslocal.kube.api import ClusterApi, WriteOptions
from akslocal.kube.body import Body, decode_object, decode_patch
from akslocal.kube.errors import KubeStatus, bad_request, method_not_allowed
from akslocal.kube.rbac_types import MASTERS_GROUP, UserInfo
from akslocal.kube.requestinfo import RequestInfo
from akslocal.kube.resources import ResourceType, lookup
from akslocal.kube.selectors import labels_match, parse_field_selector, parse_label_selector
from akslocal.kube.validation import check_namespace_name, is_path_segment
from akslocal.store import Tx

_NOT_FOUND = KubeStatus(404, "NotFound", "the server could not find the requested resource", {})
_RBAC = {"roles", "clusterroles", "rolebindings", "clusterrolebindings"}
WATCH_POLL_SECONDS = 0.2
MAX_WATCH_SECONDS = 1800


def _json(doc: Any, status: int = 200, content_type: str = "application/json",
          warnings: list[str] | None = None) -> Response:
    headers = {}
    if warnings:
        headers["Warning"] = ", ".join('299 - "' + w.replace('"', '\\"') + '"' for w in warnings)
    return Response(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode(), status_code=status,
                    media_type=content_type, headers=headers)


def _wants_table(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    first = accept.split(",")[0].replace(" ", "")
    return "as=Table" in first and "g=meta.k8s.io" in first


class ResourceHandler:
    def __init__(self, services: Any) -> None:
        self.services = services

    async def handle(self, request: Request, cluster: dict[str, Any], user: UserInfo, info: RequestInfo,
                     query: dict[str, str], body: Body | None) -> Response:
        rt = lookup(info.api_group, info.api_version, info.resource)
        if rt is None or (info.verb == "proxy"):
            raise _NOT_FOUND
        if info.namespace:
            check_namespace_name(info.namespace) if rt.plural != "namespaces" else None
            if not is_path_segment(info.namespace):
                raise _NOT_FOUND
        if info.name and not is_path_segment(info.name) and info.verb not in ("list", "watch"):
            raise _NOT_FOUND
        if not rt.namespaced and info.namespace and rt.plural != "namespaces":
            raise _NOT_FOUND
        if info.subresource and info.subresource not in rt.subresources:
            raise _NOT_FOUND
        api = ClusterApi(self.services, cluster["id"])
        ns = info.namespace if rt.namespaced else ""
        if rt.virtual:
            return await self._review(request, cluster, user, rt, ns, info, body)
        method = request.method
        if method in ("GET", "HEAD"):
            if info.name and info.verb == "get":
                obj = api.get(rt, ns, info.name)
                if info.subresource == "log":
                    # No containers run here, so there is never any output.
                    return Response(b"", media_type="text/plain")
                if info.subresource == "scale":
                    return _json(_scale_of(obj))
                if _wants_table(request):
                    return _json(tables.table(rt.plural, [obj], self.services.clock.now(),
                                              include_object=query.get("includeObject", "Metadata")),
                                 content_type="application/json;as=Table;v=v1;g=meta.k8s.io")
                return _json(obj)
            labels = parse_label_selector(query.get("labelSelector", ""))
            fields = parse_field_selector(query.get("fieldSelector", ""), rt.kind)
            if info.path_watch and info.name:
                # /watch/.../<name>: the legacy form of fieldSelector=metadata.name=<name>
                fields = [*fields, *parse_field_selector(f"metadata.name={info.name}", rt.kind)]
            if info.verb == "watch":
                return self._watch(request, api, rt, ns, query, labels, fields)
            items, rv = api.list(rt, ns, labels, fields)
            items, list_meta = _page(items, rv, query)
            if _wants_table(request):
                doc = tables.table(rt.plural, items, self.services.clock.now(), resource_version=list_meta[
                    "resourceVersion"], include_object=query.get("includeObject", "Metadata"))
                doc["metadata"] = list_meta
                return _json(doc, content_type="application/json;as=Table;v=v1;g=meta.k8s.io")
            return _json({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": list_meta,
                          "items": items})
        opts = self._write_options(query, user, cluster["id"], info)
        if method == "POST":
            if info.subresource == "eviction" and info.name:
                # No disruption budgets here: an eviction always succeeds and deletes the pod.
                api.delete(rt, ns, info.name, opts)
                return _json({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                              "code": 201}, 201)
            if info.subresource == "token" and info.name:
                from akslocal.kube.satokens import token_request

                return _json(token_request(self.services, cluster["id"], ns, info.name,
                                           decode_object(body) if body else {}), 201)
            if info.name:
                raise method_not_allowed()
            obj = decode_object(body) if body else None
            if obj is None:
                raise bad_request("the body of the request was empty")
            out, warnings = api.create(rt, ns, obj, opts)
            return _json(out, 201, warnings=warnings)
        if not info.name:
            if method == "DELETE":
                labels = parse_label_selector(query.get("labelSelector", ""))
                fields = parse_field_selector(query.get("fieldSelector", ""), rt.kind)
                gone = api.delete_collection(rt, ns, labels, fields)
                return _json({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": {}, "items": gone})
            raise method_not_allowed()
        if method == "PUT":
            obj = decode_object(body) if body else None
            if obj is None:
                raise bad_request("the body of the request was empty")
            if info.subresource == "scale":
                return _json(self._set_scale(api, rt, ns, info.name, obj, opts))
            out, warnings = api.update(rt, ns, info.name, obj, opts)
            return _json(out, warnings=warnings)
        if method == "PATCH":
            assert body is not None
            patch_type, patch = decode_patch(body)
            if info.subresource == "scale":
                from akslocal.kube.patch import json_patch, merge_patch

                current = _scale_of(api.get(rt, ns, info.name))
                scaled = json_patch(current, patch) if patch_type == "json" else merge_patch(current, patch)
                return _json(self._set_scale(api, rt, ns, info.name, scaled, opts))
            if patch_type == "apply":
                opts.force = query.get("force", "").lower() == "true"
            out, created = api.patch(rt, ns, info.name, patch_type, patch, opts)
            return _json(out, 201 if created else 200)
        if method == "DELETE":
            out = api.delete(rt, ns, info.name, opts)
            return _json(out)
        raise method_not_allowed()

    # -- helpers -----------------------------------------------------------------------
    def _write_options(self, query: dict[str, str], user: UserInfo, cluster_id: str, info: RequestInfo) -> WriteOptions:
        validation = query.get("fieldValidation", "Warn") or "Warn"
        if validation not in ("Strict", "Warn", "Ignore"):
            raise bad_request(f'fieldValidation: Unsupported value: "{validation}": supported values: '
                              '"Ignore", "Warn", "Strict"')
        dry = query.get("dryRun", "")
        if dry and dry != "All":
            raise bad_request(f'dryRun: Unsupported value: "{dry}": supported values: "All"')
        manager = query.get("fieldManager", "")
        if len(manager) > 128:
            raise bad_request("fieldManager: Too long: may not be more than 128 bytes")
        opts = WriteOptions(field_manager=manager, field_validation=validation, dry_run=dry == "All",
                            subresource=info.subresource)
        if info.resource in _RBAC and MASTERS_GROUP not in user.groups:
            opts.guard = _escalation_guard(self.services, cluster_id, user)
        return opts

    def _set_scale(self, api: ClusterApi, rt: ResourceType, ns: str, name: str, scale: Any,
                   opts: WriteOptions) -> dict[str, Any]:
        if not isinstance(scale, dict) or not isinstance(scale.get("spec"), dict):
            raise bad_request("the body must be a Scale object")
        replicas = scale["spec"].get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise KubeStatus(422, "Invalid", f'Scale.autoscaling "{name}" is invalid: spec.replicas: Invalid '
                             f"value: {replicas}: must be greater than or equal to 0")
        obj = api.get(rt, ns, name)
        new = copy.deepcopy(obj)
        new.setdefault("spec", {})["replicas"] = replicas
        out, _ = api.update(rt, ns, name, new, WriteOptions(field_manager=opts.field_manager, dry_run=opts.dry_run))
        return _scale_of(out)

    async def _review(self, request: Request, cluster: dict[str, Any], user: UserInfo, rt: ResourceType, ns: str,
                      info: RequestInfo, body: Body | None) -> Response:
        if request.method != "POST" or info.name:
            raise method_not_allowed()
        obj = decode_object(body) if body else None
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be an object")
        kind = rt.kind
        if obj.get("kind") not in (None, "", kind):
            raise bad_request(f"the kind of the data ({obj.get('kind')}) does not match the expected kind ({kind})")
        if kind == "SelfSubjectReview":
            return _json(reviews.self_subject_review(user), 201)
        if kind == "SelfSubjectRulesReview":
            return _json(reviews.rules_review(self.services, cluster["id"], obj, user), 201)
        if kind == "TokenReview":
            return _json(await reviews.token_review(self.services, cluster, obj), 201)
        return _json(reviews.access_review(self.services, cluster["id"], kind, obj, user, ns), 201)

    def _watch(self, request: Request, api: ClusterApi, rt: ResourceType, ns: str, query: dict[str, str],
               labels: list[Any], fields: list[Any]) -> Response:
        rv_text = query.get("resourceVersion", "")
        try:
            timeout = min(float(query.get("timeoutSeconds") or MAX_WATCH_SECONDS), MAX_WATCH_SECONDS)
            start_rv = int(rv_text) if rv_text not in ("", "0") else None
        except ValueError:
            raise bad_request(f'resourceVersion: Invalid value: "{rv_text}"') from None
        as_table = _wants_table(request)
        include = query.get("includeObject", "Metadata")
        services = self.services

        def selected(obj: dict[str, Any]) -> bool:
            return labels_match(labels, obj.get("metadata", {}).get("labels")) and all(f.matches(obj) for f in fields)

        def frame(event_type: str, obj: dict[str, Any], first: bool) -> bytes:
            if as_table:
                obj = tables.table(rt.plural, [obj], services.clock.now(), include_object=include,
                                   with_headers=first)
            return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"

        async def stream() -> AsyncIterator[bytes]:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            first = True
            rv = start_rv
            if rv is not None:
                with services.store.transaction(write=False) as tx:
                    horizon = objects.event_horizon(tx, api.cluster)
                if rv < horizon:
                    gone = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": f"too old resource version: {rv} ({horizon + 1})", "reason": "Expired",
                            "code": 410}
                    yield json.dumps({"type": "ERROR", "object": gone}).encode() + b"\n"
                    return
            if rv is None:
                items, rv = api.list(rt, ns, labels, fields)
                for obj in items:
                    yield frame("ADDED", obj, first)
                    first = False
            while loop.time() < deadline:
                if await request.is_disconnected():
                    return
                with services.store.transaction(write=False) as tx:
                    events = _events_after(tx, api.cluster, rv)
                for ev in events:
                    rv = max(rv, ev["rv"])
                    if ev["g"] != rt.group or ev["r"] != rt.plural or (ns and ev["ns"] != ns):
                        continue
                    if not selected(ev["object"]):
                        continue
                    yield frame(ev["type"], ev["object"], first)
                    first = False
                if not events:
                    await asyncio.sleep(WATCH_POLL_SECONDS)

        ctype = "application/json;as=Table;v=v1;g=meta.k8s.io" if as_table else "application/json"
        return StreamingResponse(stream(), media_type=ctype, headers={"Transfer-Encoding": "chunked"})


def _continue_token(rv: int, key: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _page(items: list[dict[str, Any]], rv: int, query: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``limit`` / ``continue`` chunking (items are in key order: namespace, then name)."""
    def key(o: dict[str, Any]) -> str:
        return f"{o['metadata'].get('namespace', '')}/{o['metadata']['name']}"

    token = query.get("continue", "")
    if token:
        try:
            state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            start, rv = str(state["start"]), int(state["rv"])
        except (ValueError, KeyError, TypeError):
            raise bad_request("continue key is not valid: incorrect encoded start resourceVersion "
                              "(version meta.k8s.io/v1)") from None
        items = [o for o in items if key(o) > start]
    try:
        limit = int(query.get("limit") or 0)
    except ValueError:
        raise bad_request(f'limit: Invalid value: "{query.get("limit")}"') from None
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if 0 < limit < len(items):
        meta["continue"] = _continue_token(rv, key(items[limit - 1]))
        meta["remainingItemCount"] = len(items) - limit
        items = items[:limit]
    return items, meta


def _events_after(tx: Tx, cluster: str, rv: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = rv
    while True:
        batch = tx.scan(objects.EVENTS, after_rev=after, limit=500)
        for r in batch:
            if r.key.startswith(cluster + "/") and r.doc["rv"] > rv:
                out.append(r.doc)
        if len(batch) < 500 or len(out) >= 500:
            return out
        after = batch[-1].rev


def _scale_of(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj["metadata"]
    spec = obj.get("spec") or {}
    sel = (spec.get("selector") or {}).get("matchLabels") or {}
    status = obj.get("status") or {}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in meta},
            "spec": {"replicas": spec.get("replicas", 0)},
            "status": {"replicas": status.get("replicas", 0),
                       "selector": ",".join(f"{k}={v}" for k, v in sorted(sel.items()))}}


def _escalation_guard(services: Any, cluster_id: str, user: UserInfo):  # type: ignore[no-untyped-def]
    def guard(tx: Tx, rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        from akslocal.kube import escalation, rbac

        reader = authz.StoreRbacReader(tx, cluster_id)
        ns = obj["metadata"].get("namespace", "") if rt.namespaced else ""
        if rt.plural in ("roles", "clusterroles"):
            attrs = escalation.escalate_attributes(user, ns, rt.plural == "clusterroles",
                                                   obj["metadata"]["name"] if old is not None else "")
            allowed = rbac.authorize(reader, attrs).allowed
            denial = escalation.explain_role_write(reader, user, ns, obj, allowed, old_obj=old)
        else:
            attrs = escalation.bind_attributes(user, ns, obj.get("roleRef") or {})
            allowed = rbac.authorize(reader, attrs).allowed
            denial = escalation.explain_binding_write(reader, user, ns, obj, allowed, old_obj=old)
        if denial is not None:
            details = {"name": obj["metadata"]["name"], "group": rt.group, "kind": rt.plural}
            raise KubeStatus(denial.code, denial.reason, denial.message, details)

    return guard


__all__ = ["ResourceHandler"]
