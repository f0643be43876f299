"""Kubernetes objects in the store: keys, indexes, the event log and the write primitives.

Each object is one record of kind ``kube.object`` keyed
``<cluster>/<group|core>/<plural>/<namespace>/<name>`` (namespace empty for cluster-scoped
kinds) holding ``{"c": cluster, "o": object}``.  ``metadata.resourceVersion`` is never
stored: it is the record's revision, filled in on read, so it cannot drift.  Every write
also appends a ``kube.event`` record (``<cluster>/<rv>``) that watches replay from any
resourceVersion.  Bindings are indexed by subject (``binding_subject_keys``) so an RBAC
decision reads only the bindings naming the user or one of the groups.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from akslocal.kube.rbac import binding_subject_keys
from akslocal.kube.resources import ResourceType
from akslocal.store import Kind, Record, Tx

_BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")


def _index(doc: dict[str, Any]) -> dict[str, Any]:
    cluster, obj = doc.get("c", ""), doc.get("o") or {}
    meta = obj.get("metadata") or {}
    out: dict[str, Any] = {}
    if obj.get("kind") in _BINDING_KINDS:
        ns = meta.get("namespace") or ""
        out["subject"] = [f"{cluster}|{ns}|{k}" for k in binding_subject_keys(obj)]
    owners = [f"{cluster}|{o.get('uid')}" for o in meta.get("ownerReferences") or [] if isinstance(o, dict)]
    if owners:
        out["owner"] = owners
    return out


OBJECTS = Kind("kube.object", index=_index)
EVENTS = Kind("kube.event")
CLUSTERS = Kind("kube.cluster")
# Per cluster: the revision of the last RBAC write (roles, bindings); caches of RBAC reads
# are keyed by it, so a decision never sees stale policy.
RBAC_GENERATIONS = Kind("kube.rbac_generation")
_RBAC_GROUP = "rbac.authorization.k8s.io"
# Per cluster: the newest resourceVersion whose events were compacted away.
HORIZONS = Kind("kube.event_horizon")
# Events older than this many revisions are compacted (a watch from there gets 410 Expired).
EVENT_WINDOW = 100_000
_COMPACT_EVERY = 1000


def object_key(cluster: str, rt: ResourceType, namespace: str, name: str) -> str:
    return f"{cluster}/{rt.store_group}/{rt.plural}/{namespace if rt.namespaced else ''}/{name}"


def collection_prefix(cluster: str, rt: ResourceType, namespace: str) -> str:
    base = f"{cluster}/{rt.store_group}/{rt.plural}/"
    return base + f"{namespace}/" if rt.namespaced and namespace else base


def rfc3339(epoch: float) -> str:
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: Any) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None


def from_record(record: Record) -> dict[str, Any]:
    obj = record.doc["o"]
    obj.setdefault("metadata", {})["resourceVersion"] = str(record.rev)
    return obj


def read(tx: Tx, cluster: str, rt: ResourceType, namespace: str, name: str) -> dict[str, Any] | None:
    record = tx.get_record(OBJECTS, object_key(cluster, rt, namespace, name))
    return None if record is None else from_record(record)


def read_record(tx: Tx, cluster: str, rt: ResourceType, namespace: str, name: str) -> Record | None:
    return tx.get_record(OBJECTS, object_key(cluster, rt, namespace, name))


def scan(tx: Tx, cluster: str, rt: ResourceType, namespace: str = "") -> list[dict[str, Any]]:
    return [from_record(r) for r in tx.scan(OBJECTS, prefix=collection_prefix(cluster, rt, namespace))]


def _log(tx: Tx, cluster: str, rt: ResourceType, event_type: str, obj: dict[str, Any], rv: int) -> None:
    meta = obj.get("metadata") or {}
    tx.put(
        EVENTS,
        f"{cluster}/{rv:012d}",
        {"type": event_type, "g": rt.group, "r": rt.plural, "ns": meta.get("namespace", ""), "rv": rv, "object": obj},
    )
    if rt.group == _RBAC_GROUP:
        tx.put(RBAC_GENERATIONS, cluster, {"rv": rv})
    if rv % _COMPACT_EVERY == 0:
        compact_events(tx, cluster, rv - EVENT_WINDOW)


def rbac_generation(tx: Tx, cluster: str) -> int:
    doc = tx.get(RBAC_GENERATIONS, cluster)
    return int(doc["rv"]) if doc else 0


def compact_events(tx: Tx, cluster: str, below_rv: int) -> None:
    """Drop a cluster's events older than ``below_rv`` (oldest first, in bounded batches)."""
    if below_rv <= 0:
        return
    horizon = 0
    for record in tx.scan(EVENTS, prefix=f"{cluster}/", limit=5 * _COMPACT_EVERY):
        if record.doc["rv"] >= below_rv:
            break
        tx.delete(EVENTS, record.key)
        horizon = max(horizon, record.doc["rv"])
    if horizon:
        tx.put(HORIZONS, cluster, {"rv": horizon})


def event_horizon(tx: Tx, cluster: str) -> int:
    doc = tx.get(HORIZONS, cluster)
    return int(doc["rv"]) if doc else 0


def _stored(obj: dict[str, Any]) -> dict[str, Any]:
    clean = copy.deepcopy(obj)
    clean.get("metadata", {}).pop("resourceVersion", None)
    return clean


def write(tx: Tx, cluster: str, rt: ResourceType, obj: dict[str, Any], *, created: bool) -> dict[str, Any]:
    """Create or replace ``obj`` (already validated and defaulted) and log the event."""
    meta = obj["metadata"]
    key = object_key(cluster, rt, meta.get("namespace", ""), meta["name"])
    doc = {"c": cluster, "o": _stored(obj)}
    record = tx.create(OBJECTS, key, doc) if created else tx.put(OBJECTS, key, doc)
    out = from_record(Record(record.kind, record.key, copy.deepcopy(doc), record.rev))
    _log(tx, cluster, rt, "ADDED" if created else "MODIFIED", out, record.rev)
    return out


def remove(tx: Tx, cluster: str, rt: ResourceType, namespace: str, name: str) -> dict[str, Any]:
    doc = tx.delete(OBJECTS, object_key(cluster, rt, namespace, name))
    rv = tx.current_rev()
    obj = doc["o"]
    obj.setdefault("metadata", {})["resourceVersion"] = str(rv)
    _log(tx, cluster, rt, "DELETED", obj, rv)
    return obj


def owned_by(tx: Tx, cluster: str, uid: str) -> list[Record]:
    return tx.find(OBJECTS, "owner", f"{cluster}|{uid}")


def events_after(tx: Tx, cluster: str, rv: int, limit: int = 1000) -> list[dict[str, Any]]:
    return [r.doc for r in tx.scan(EVENTS, prefix=f"{cluster}/", after_rev=rv, limit=limit) if r.doc["rv"] > rv]


def delete_cluster_objects(tx: Tx, cluster: str) -> None:
    for record in tx.scan(OBJECTS, prefix=f"{cluster}/"):
        tx.delete(OBJECTS, record.key)
    for record in tx.scan(EVENTS, prefix=f"{cluster}/"):
        tx.delete(EVENTS, record.key)
    for kind in (HORIZONS, RBAC_GENERATIONS):
        if tx.get(kind, cluster) is not None:
            tx.delete(kind, cluster)
