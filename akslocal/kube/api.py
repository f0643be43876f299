"""The generic REST verbs over one cluster's objects: plain Python, no HTTP.

Each public method runs in ONE store transaction (validation first, then all writes, so a
failed request leaves nothing behind).  Workload objects are reconciled by
:mod:`akslocal.kube.controller` in the same transaction, and deletes cascade to owned
objects (background propagation, done at once because kubectl waits for the 404).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from akslocal.kube import controller, managed_fields, objects
from akslocal.kube.defaults import apply_defaults, random_suffix, stamp_metadata
from akslocal.kube.errors import KubeStatus, already_exists, bad_request, conflict, not_found
from akslocal.kube.patch import json_patch, merge_patch, strategic_merge
from akslocal.kube.resources import NAMESPACE, RESOURCES, ResourceType
from akslocal.kube.selectors import FieldRequirement, Requirement, labels_match
from akslocal.kube.validation import check_immutable, strict_check, validate_object
from akslocal.store import AlreadyExists, Tx

# A guard sees (tx, resource, new object, old object or None) before a write: the escalation check.
Guard = Callable[[Tx, ResourceType, dict[str, Any], dict[str, Any] | None], None]

IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")
_GENERATION_KINDS = {"deployments", "replicasets", "daemonsets", "statefulsets", "pods"}
_SPEC_FIELDS = ("spec", "rules", "subjects", "roleRef", "data", "template")


@dataclass
class WriteOptions:
    field_manager: str = ""
    field_validation: str = "Strict"
    dry_run: bool = False
    force: bool = False
    guard: Guard | None = None
    subresource: str = ""
    # Server-side apply computed managedFields itself: store them as they are.
    keep_managed_fields: bool = False


class ClusterApi:
    """CRUD for one cluster (``cluster_id``)."""

    def __init__(self, services: Any, cluster_id: str) -> None:
        self.services = services
        self.cluster = cluster_id

    # -- reads -------------------------------------------------------------------------
    def get(self, rt: ResourceType, ns: str, name: str) -> dict[str, Any]:
        with self.services.store.transaction(write=False) as tx:
            obj = objects.read(tx, self.cluster, rt, ns, name)
        if obj is None:
            raise not_found(rt.plural, rt.group, name)
        return obj

    def list(
        self, rt: ResourceType, ns: str, labels: list[Requirement], fields: list[FieldRequirement]
    ) -> tuple[list[dict[str, Any]], int]:
        with self.services.store.transaction(write=False) as tx:
            items = objects.scan(tx, self.cluster, rt, ns)
            rv = tx.current_rev()
        return [o for o in items if _selected(o, labels, fields)], rv

    # -- writes ------------------------------------------------------------------------
    def create(self, rt: ResourceType, ns: str, obj: Any, opts: WriteOptions) -> tuple[dict[str, Any], list[str]]:
        warnings = self._prepare(rt, ns, obj, opts)
        try:
            with self.services.store.transaction() as tx:
                out = self._create_in(tx, rt, ns, obj, opts)
                if opts.dry_run:
                    raise _Rollback(out)
        except _Rollback as rb:
            return rb.result, warnings
        return out, warnings

    def update(
        self, rt: ResourceType, ns: str, name: str, obj: Any, opts: WriteOptions
    ) -> tuple[dict[str, Any], list[str]]:
        try:
            return self._update(rt, ns, name, obj, opts)
        except _Rollback as rb:
            return rb.result, []

    def _update(
        self, rt: ResourceType, ns: str, name: str, obj: Any, opts: WriteOptions
    ) -> tuple[dict[str, Any], list[str]]:
        warnings = self._prepare(rt, ns, obj, opts)
        if obj["metadata"].get("name") != name:
            raise bad_request(
                f"the name of the object ({obj['metadata'].get('name')}) does not match the name on the URL ({name})"
            )
        with self.services.store.transaction() as tx:
            record = objects.read_record(tx, self.cluster, rt, ns, name)
            if record is None:
                raise not_found(rt.plural, rt.group, name)
            old = objects.from_record(record)
            want_rv = obj["metadata"].get("resourceVersion")
            if want_rv not in (None, "") and str(want_rv) != str(record.rev):
                raise conflict(rt.plural, rt.group, name,
                               "the object has been modified; please apply your changes to the latest version "
                               "and try again")
            out = self._replace_in(tx, rt, old, obj, opts)
            if opts.dry_run:
                raise _Rollback(out)
        return out, warnings

    def patch(
        self, rt: ResourceType, ns: str, name: str, patch_type: str, body: Any, opts: WriteOptions
    ) -> tuple[dict[str, Any], bool]:
        """Apply a patch; returns (object, created) - only server-side apply creates."""
        try:
            return self._patch(rt, ns, name, patch_type, body, opts)
        except _Rollback as rb:
            return rb.result, rb.created

    def _patch(
        self, rt: ResourceType, ns: str, name: str, patch_type: str, body: Any, opts: WriteOptions
    ) -> tuple[dict[str, Any], bool]:
        with self.services.store.transaction() as tx:
            old = objects.read(tx, self.cluster, rt, ns, name)
            if patch_type == "apply":
                return self._apply_in(tx, rt, ns, name, old, body, opts)
            if old is None:
                raise not_found(rt.plural, rt.group, name)
            if patch_type == "json":
                new = json_patch(old, body)
            elif patch_type == "merge":
                if not isinstance(body, dict):
                    raise bad_request("json: cannot unmarshal into Go value of type map[string]interface {}")
                new = merge_patch(old, body)
            else:
                if not isinstance(body, dict):
                    raise bad_request("json: cannot unmarshal into Go value of type map[string]interface {}")
                new = strategic_merge(old, body)
            if not isinstance(new, dict):
                raise bad_request("the patch did not produce an object")
            new_meta = new.get("metadata") if isinstance(new.get("metadata"), dict) else {}
            if new_meta.get("name") != name:
                raise bad_request("metadata.name: Invalid value: the name may not be changed by a patch")
            strict_check(rt.kind, new, opts.field_validation, rt.version)
            validate_object(rt, new, url_namespace=ns)
            out = self._replace_in(tx, rt, old, new, opts)
            if opts.dry_run:
                raise _Rollback(out)
        return out, False

    def delete(self, rt: ResourceType, ns: str, name: str, opts: WriteOptions | None = None) -> dict[str, Any]:
        with self.services.store.transaction() as tx:
            if objects.read_record(tx, self.cluster, rt, ns, name) is None:
                raise not_found(rt.plural, rt.group, name)
            if rt.plural == "namespaces" and name in IMMORTAL_NAMESPACES:
                # upstream NamespaceLifecycle admission
                raise KubeStatus(403, "Forbidden", f'namespaces "{name}" is forbidden: this namespace may not be '
                                 "deleted", {"name": name, "kind": "namespaces"})
            if opts and opts.dry_run:
                return objects.read(tx, self.cluster, rt, ns, name) or {}
            return self._delete_in(tx, rt, ns, name)

    def delete_collection(
        self, rt: ResourceType, ns: str, labels: list[Requirement], fields: list[FieldRequirement]
    ) -> list[dict[str, Any]]:
        with self.services.store.transaction() as tx:
            victims = [o for o in objects.scan(tx, self.cluster, rt, ns) if _selected(o, labels, fields)]
            return [
                self._delete_in(tx, rt, o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in victims
            ]

    # -- in-transaction helpers (also used by the controller and provisioning) ----------
    def _prepare(self, rt: ResourceType, ns: str, obj: Any, opts: WriteOptions) -> list[str]:
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be a JSON object")
        warnings = strict_check(rt.kind, obj, opts.field_validation, rt.version)
        meta = obj.get("metadata")
        if isinstance(meta, dict) and not meta.get("name") and isinstance(meta.get("generateName"), str):
            meta["name"] = meta["generateName"] + random_suffix(self.services.entropy.token_bytes(5))
        validate_object(rt, obj, url_namespace=ns)
        return warnings

    def _create_in(self, tx: Tx, rt: ResourceType, ns: str, obj: dict[str, Any], opts: WriteOptions) -> dict[str, Any]:
        obj = copy.deepcopy(obj)
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        meta = obj["metadata"]
        if rt.namespaced:
            meta["namespace"] = ns
            if objects.read_record(tx, self.cluster, NAMESPACE, "", ns) is None:
                raise not_found("namespaces", "", ns)
        else:
            meta.pop("namespace", None)
        requested = managed_fields.object_leaves(obj)  # what the client set, not the defaults
        if not opts.keep_managed_fields:
            meta.pop("managedFields", None)
        stamp_metadata(obj, uid=self.services.entropy.guid(), now=self.services.clock.now(),
                       generation=rt.plural in _GENERATION_KINDS)
        apply_defaults(rt.plural, obj, self.services.entropy.token_bytes(4))
        if opts.field_manager:
            managed_fields.record_update(meta, opts.field_manager, rt.api_version, requested,
                                         objects.rfc3339(self.services.clock.now()))
        controller.admit(self, tx, rt, obj)
        if opts.guard:
            opts.guard(tx, rt, obj, None)
        try:
            out = objects.write(tx, self.cluster, rt, obj, created=True)
        except AlreadyExists:
            raise already_exists(rt.plural, rt.group, meta["name"]) from None
        controller.after_write(self, tx, rt, out, None)
        return out

    def _replace_in(
        self, tx: Tx, rt: ResourceType, old: dict[str, Any], new: dict[str, Any], opts: WriteOptions
    ) -> dict[str, Any]:
        new = copy.deepcopy(new)
        new["apiVersion"], new["kind"] = rt.api_version, rt.kind
        check_immutable(rt, old, new)
        meta, old_meta = new["metadata"], old["metadata"]
        for f in ("uid", "creationTimestamp", "namespace", "generation"):
            if f in old_meta:
                meta[f] = old_meta[f]
            else:
                meta.pop(f, None)
        if opts.subresource == "status":
            kept = copy.deepcopy(old)
            kept["status"] = new.get("status")
            new = kept
        elif rt.plural != "namespaces" and "status" in old and opts.subresource == "":
            # The main resource ignores status changes (upstream status strategy).
            new["status"] = copy.deepcopy(old["status"])
        if rt.plural in _GENERATION_KINDS and any(new.get(f) != old.get(f) for f in _SPEC_FIELDS):
            meta["generation"] = int(old_meta.get("generation", 1)) + 1
        apply_defaults(rt.plural, new, self.services.entropy.token_bytes(4))
        if rt.plural == "services":
            new["spec"]["clusterIP"] = old.get("spec", {}).get("clusterIP", new["spec"].get("clusterIP"))
        if not opts.keep_managed_fields and meta.get("managedFields") in (None, []):
            # A write without managedFields keeps the recorded ownership (a client may replace it).
            meta["managedFields"] = copy.deepcopy(old_meta.get("managedFields") or [])
        if opts.field_manager and not opts.keep_managed_fields:
            managed_fields.record_update(meta, opts.field_manager, rt.api_version, managed_fields.changed_leaves(
                old, new), objects.rfc3339(self.services.clock.now()))
        if opts.guard:
            opts.guard(tx, rt, new, old)
        unchanged = _comparable(new) == _comparable(old)
        if unchanged:
            return old
        out = objects.write(tx, self.cluster, rt, new, created=False)
        controller.after_write(self, tx, rt, out, old)
        return out

    def _apply_in(
        self, tx: Tx, rt: ResourceType, ns: str, name: str, old: dict[str, Any] | None, body: Any, opts: WriteOptions
    ) -> tuple[dict[str, Any], bool]:
        if not isinstance(body, dict):
            raise bad_request("error decoding YAML: the apply configuration must be an object")
        if not opts.field_manager:
            raise bad_request(
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
            )
        body = copy.deepcopy(body)
        body.setdefault("metadata", {})
        if isinstance(body["metadata"], dict):
            body["metadata"].setdefault("name", name)
        strict_check(rt.kind, body, opts.field_validation, rt.version)
        meta = body["metadata"]
        if not isinstance(meta, dict) or meta.get("name") != name:
            raise bad_request(f"the name of the object ({meta.get('name') if isinstance(meta, dict) else ''}) "
                              f"does not match the name on the URL ({name})")
        now = objects.rfc3339(self.services.clock.now())
        if old is None:
            obj = copy.deepcopy(body)
            validate_object(rt, obj, url_namespace=ns)
            obj["metadata"]["managedFields"] = [{
                "manager": opts.field_manager, "operation": "Apply", "apiVersion": rt.api_version, "time": now,
                "fieldsType": "FieldsV1", "fieldsV1": managed_fields.to_fields(managed_fields.object_leaves(body))}]
            out = self._create_in(tx, rt, ns, obj, WriteOptions(guard=opts.guard, keep_managed_fields=True))
            if opts.dry_run:
                raise _Rollback(out, created=True)
            return out, True
        new = strategic_merge(old, {k: v for k, v in body.items() if k not in ("apiVersion", "kind")})
        managed_fields.apply_ownership(old, body, new, opts.field_manager, rt.api_version, opts.force, now, rt.kind,
                                       rt.group)
        validate_object(rt, new, url_namespace=ns)
        out = self._replace_in(tx, rt, old, new, WriteOptions(guard=opts.guard, keep_managed_fields=True))
        if opts.dry_run:
            raise _Rollback(out)
        return out, False

    def _delete_if_present(self, tx: Tx, rt: ResourceType, ns: str, name: str) -> None:
        # Controllers delete in loops that re-enter themselves; a child may be gone already.
        if objects.read_record(tx, self.cluster, rt, ns, name) is not None:
            self._delete_in(tx, rt, ns, name)

    def _delete_in(self, tx: Tx, rt: ResourceType, ns: str, name: str) -> dict[str, Any]:
        gone = objects.remove(tx, self.cluster, rt, ns, name)
        uid = gone.get("metadata", {}).get("uid")
        if rt.plural == "namespaces":
            for other in RESOURCES:
                if other.namespaced and not other.virtual:
                    for o in objects.scan(tx, self.cluster, other, name):
                        objects.remove(tx, self.cluster, other, name, o["metadata"]["name"])
        elif uid:
            for record in objects.owned_by(tx, self.cluster, uid):
                child = record.doc["o"]
                child_rt = _type_of(child)
                if child_rt is not None:
                    child_meta = child["metadata"]
                    self._delete_if_present(tx, child_rt, child_meta.get("namespace", ""), child_meta["name"])
        controller.after_delete(self, tx, rt, gone)
        return gone


class _Rollback(Exception):
    """Raised inside a transaction to discard a dry run; carries the would-be result."""

    def __init__(self, result: dict[str, Any], created: bool = False) -> None:
        super().__init__("dry run")
        self.result = result
        self.created = created


def _type_of(obj: dict[str, Any]) -> ResourceType | None:
    from akslocal.kube.resources import by_kind

    api_version = obj.get("apiVersion", "")
    group = api_version.split("/")[0] if "/" in api_version else ""
    return by_kind(group, obj.get("kind", ""))


def _selected(obj: dict[str, Any], labels: list[Requirement], fields: list[FieldRequirement]) -> bool:
    return labels_match(labels, obj.get("metadata", {}).get("labels")) and all(f.matches(obj) for f in fields)


def _comparable(obj: dict[str, Any]) -> dict[str, Any]:
    c = copy.deepcopy(obj)
    meta = c.get("metadata", {})
    meta.pop("resourceVersion", None)
    # Ownership counts (a second applier of equal values becomes co-owner), timestamps do not.
    meta["managedFields"] = [{k: v for k, v in m.items() if k != "time"} for m in meta.get("managedFields") or []
                             if isinstance(m, dict)]
    return c


__all__ = ["ClusterApi", "KubeStatus", "WriteOptions"]
