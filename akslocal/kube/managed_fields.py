"""Field ownership for server-side apply, in ``managedFields`` / ``FieldsV1`` form.

A field path is a tuple of FieldsV1 keys (``f:<name>`` for map keys, ``k:<json>`` for an
item of a list with a merge key); a leaf is a path with nothing owned below it.
* Update operations own the leaves they changed (taken from every other manager).
* Apply managers own exactly the leaves of their applied configuration; applying a value
  that differs from the live one on a leaf another manager owns is a conflict (409)
  unless ``force``, which takes the leaf over.  Conflicts on leaves the object's
  client-side-apply annotation also names are let through, as upstream's last-applied
  handling does, so ``kubectl apply --server-side`` can take over a CSA object.
* Leaves an apply manager stops applying are removed unless someone else owns them.
"""

from __future__ import annotations

import json
from typing import Any

from akslocal.kube.errors import KubeStatus
from akslocal.kube.patch import field_set

Path = tuple[str, ...]
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# Server-owned metadata nobody manages.
_IGNORED = {("f:metadata", "f:resourceVersion"), ("f:metadata", "f:managedFields"), ("f:metadata", "f:uid"),
            ("f:metadata", "f:creationTimestamp"), ("f:metadata", "f:generation"), ("f:metadata", "f:name"),
            ("f:metadata", "f:namespace"), ("f:metadata", "f:selfLink")}


def leaves(fields: Any, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    if not isinstance(fields, dict):
        return out
    for key, sub in fields.items():
        if key == ".":
            continue
        path = (*prefix, key)
        children = {k: v for k, v in sub.items() if k != "."} if isinstance(sub, dict) else {}
        if children:
            out |= leaves(children, path)
        else:
            out.add(path)
    return {p for p in out if p[:2] not in _IGNORED and p[:1] not in (("f:apiVersion",), ("f:kind",))}


def to_fields(paths: set[Path]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node = root
        for key in path:
            node = node.setdefault(key, {})
            if key.startswith("k:"):
                node.setdefault(".", {})
    return root


def object_leaves(obj: dict[str, Any]) -> set[Path]:
    return leaves(field_set({k: v for k, v in obj.items() if k != "status"}))


def value_at(obj: Any, path: Path) -> tuple[bool, Any]:
    cur = obj
    for key in path:
        if key.startswith("f:") and isinstance(cur, dict):
            if key[2:] not in cur:
                return False, None
            cur = cur[key[2:]]
        elif key.startswith("k:") and isinstance(cur, list):
            try:
                want = json.loads(key[2:])
            except ValueError:
                return False, None
            match = next((i for i in cur if isinstance(i, dict) and all(i.get(k) == v for k, v in want.items())),
                         None)
            if match is None:
                return False, None
            cur = match
        else:
            return False, None
    return True, cur


def changed_leaves(old: dict[str, Any], new: dict[str, Any]) -> set[Path]:
    return {p for p in object_leaves(new) if value_at(old, p) != value_at(new, p)}


def render(path: Path) -> str:
    out = ""
    for key in path:
        if key.startswith("f:"):
            out += "." + key[2:]
        else:
            try:
                want = json.loads(key[2:])
                out += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in want.items()) + "]"
            except ValueError:
                out += "[" + key[2:] + "]"
    return out


def _entries(meta: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in meta.get("managedFields") or [] if isinstance(m, dict)]


def record_update(meta: dict[str, Any], manager: str, api_version: str, owned: set[Path], now: str) -> None:
    """An Update by ``manager`` that set ``owned``: it takes those leaves from everyone."""
    if not owned:
        return
    entries = []
    mine: set[Path] = set(owned)
    for m in _entries(meta):
        paths = leaves(m.get("fieldsV1"))
        if m.get("manager") == manager and m.get("operation") == "Update":
            mine |= paths
            continue
        rest = paths - owned
        if rest:
            entries.append({**m, "fieldsV1": to_fields(rest)})
    entries.append({"manager": manager, "operation": "Update", "apiVersion": api_version, "time": now,
                    "fieldsType": "FieldsV1", "fieldsV1": to_fields(mine)})
    meta["managedFields"] = entries


def _last_applied_leaves(live: dict[str, Any]) -> set[Path]:
    text = (live.get("metadata", {}).get("annotations") or {}).get(LAST_APPLIED)
    try:
        doc = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return set()
    return object_leaves(doc) if isinstance(doc, dict) else set()


def apply_ownership(live: dict[str, Any], config: dict[str, Any], merged: dict[str, Any], manager: str,
                    api_version: str, force: bool, now: str, kind: str, group: str) -> None:
    """Check conflicts of applying ``config`` (merged result ``merged``) and rewrite
    ``merged['metadata']['managedFields']``; also drop leaves nobody applies any more."""
    applied = object_leaves(config)
    entries = _entries(live["metadata"])
    previous: set[Path] = set()
    others: list[tuple[dict[str, Any], set[Path]]] = []
    for m in entries:
        paths = leaves(m.get("fieldsV1"))
        if m.get("manager") == manager and m.get("operation") == "Apply":
            previous = paths
        else:
            others.append((m, paths))
    tolerated = _last_applied_leaves(live)
    conflicts: dict[tuple[str, str], list[Path]] = {}
    for p in sorted(applied):
        if value_at(live, p) == value_at(config, p):
            continue
        for m, paths in others:
            if p in paths and p not in tolerated:
                conflicts.setdefault((str(m.get("manager")), str(m.get("apiVersion", ""))), []).append(p)
    if conflicts and not force:
        raise conflict_status(conflicts, kind, group, live["metadata"].get("name", ""))
    new_entries = []
    for m, paths in others:
        # Leaves this apply changes move to the applier (forced or tolerated by now); equal ones are shared.
        kept = {p for p in paths if not (p in applied and value_at(live, p) != value_at(config, p))}
        if kept:
            new_entries.append({**m, "fieldsV1": to_fields(kept)})
    new_entries.append({"manager": manager, "operation": "Apply", "apiVersion": api_version, "time": now,
                        "fieldsType": "FieldsV1", "fieldsV1": to_fields(applied)})
    owned_by_others = set().union(*(leaves(m["fieldsV1"]) for m in new_entries[:-1])) if new_entries[:-1] else set()
    for p in sorted(previous - applied - owned_by_others, key=len, reverse=True):
        _remove(merged, p)
    merged["metadata"]["managedFields"] = new_entries


def _remove(obj: Any, path: Path) -> None:
    found, parent = value_at(obj, path[:-1]) if len(path) > 1 else (True, obj)
    if not found:
        return
    key = path[-1]
    if key.startswith("f:") and isinstance(parent, dict):
        parent.pop(key[2:], None)
    elif key.startswith("k:") and isinstance(parent, list):
        found, item = value_at(obj, path)
        if found and item in parent:
            parent.remove(item)


def conflict_status(conflicts: dict[tuple[str, str], list[Path]], kind: str, group: str, name: str) -> KubeStatus:
    total = sum(len(v) for v in conflicts.values())
    if total == 1:
        ((manager, version), (path,)), = conflicts.items()
        using = f" using {version}" if version else ""
        text = f'Apply failed with 1 conflict: conflict with "{manager}"{using}: {render(path)}'
    else:
        parts = []
        for (manager, version), paths in conflicts.items():
            using = f" using {version}" if version else ""
            parts.append(f'conflicts with "{manager}"{using}:\n' + "\n".join(f"- {render(p)}" for p in paths))
        text = f"Apply failed with {total} conflicts: " + "\n".join(parts)
    causes = [{"reason": "FieldManagerConflict", "message": f'conflict with "{m}"{" using " + v if v else ""}',
               "field": render(p)} for (m, v), ps in conflicts.items() for p in ps]
    details: dict[str, Any] = {"name": name, "kind": kind, "causes": causes}
    if group:
        details["group"] = group
    return KubeStatus(409, "Conflict", text, details)
