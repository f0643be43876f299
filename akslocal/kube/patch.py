"""The four patch types: JSON patch (RFC 6902), merge patch (RFC 7386), strategic merge
patch (list merge keys of the built-in types) and the fields part of server-side apply."""

from __future__ import annotations

import copy
from typing import Any

from akslocal.kube.errors import KubeStatus, bad_request

# patchMergeKey of the built-in types' lists (k8s.io/api struct tags).  A list not named
# here is atomic and replaced whole, like RBAC subjects and rules.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
    "env": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath", "imagePullSecrets": "name",
    "conditions": "type", "addresses": "type", "ownerReferences": "uid", "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey", "taints": "key", "secrets": "name", "resourceClaims": "name",
}
# Lists of scalars with patchStrategy=merge (union).
MERGED_SCALAR_LISTS = {"finalizers"}


def _merge_key(field: str, items: list[Any]) -> str | None:
    if field == "ports":
        sample = next((i for i in items if isinstance(i, dict)), {})
        return "containerPort" if "containerPort" in sample else "port"
    return MERGE_KEYS.get(field)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_strip(v) for v in value if not (isinstance(v, dict) and v.get("$patch") == "delete")]
    return value


def strategic_merge(original: Any, patch: Any) -> Any:
    """Strategic merge patch of ``patch`` onto ``original`` (both JSON values)."""
    if not isinstance(patch, dict):
        return _strip(patch)
    if patch.get("$patch") == "replace":
        return _strip({k: v for k, v in patch.items() if k != "$patch"})
    result = copy.deepcopy(original) if isinstance(original, dict) else {}
    retain = patch.get("$retainKeys")
    for k, v in patch.items():
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            if isinstance(result.get(field), list) and isinstance(v, list):
                result[field] = [x for x in result[field] if x not in v]
            continue
        if k.startswith("$"):
            continue
        if v is None:
            result.pop(k, None)
        elif isinstance(v, dict):
            if v.get("$patch") == "delete":
                result.pop(k, None)
            else:
                result[k] = strategic_merge(result.get(k), v)
        elif isinstance(v, list):
            result[k] = _merge_list(k, result.get(k), v)
        else:
            result[k] = v
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_list(field: str, original: Any, patch: list[Any]) -> list[Any]:
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return _strip([i for i in patch if not (isinstance(i, dict) and i.get("$patch") == "replace")])
    orig = original if isinstance(original, list) else []
    if field in MERGED_SCALAR_LISTS and all(not isinstance(i, dict | list) for i in patch):
        return list(orig) + [i for i in patch if i not in orig]
    key = _merge_key(field, patch + orig)
    if key is None or not all(isinstance(i, dict) for i in patch):
        return _strip(patch)
    result = copy.deepcopy(orig)
    for item in patch:
        match = next((i for i, o in enumerate(result) if isinstance(o, dict) and o.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if match is not None:
                result.pop(match)
        elif match is not None:
            result[match] = strategic_merge(result[match], item)
        else:
            result.append(_strip(item))
    return result


# --- JSON patch ----------------------------------------------------------------------------


def _pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise bad_request(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]] if path else []


def _parent(doc: Any, parts: list[str]) -> tuple[Any, str]:
    cur = doc
    for p in parts[:-1]:
        if isinstance(cur, dict) and p in cur:
            cur = cur[p]
        elif isinstance(cur, list) and p.isdigit() and int(p) < len(cur):
            cur = cur[int(p)]
        else:
            raise KubeStatus(422, "Invalid", "the server rejected our request due to an error in our request")
    return cur, parts[-1] if parts else ""


def _get(doc: Any, parts: list[str]) -> Any:
    parent, last = _parent(doc, parts)
    if not parts:
        return doc
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise KubeStatus(422, "Invalid", "the server rejected our request due to an error in our request")


def _remove(doc: Any, parts: list[str]) -> Any:
    parent, last = _parent(doc, parts)
    value = _get(doc, parts)
    if isinstance(parent, dict):
        del parent[last]
    else:
        parent.pop(int(last))
    return value


def _add(doc: Any, parts: list[str], value: Any) -> Any:
    if not parts:
        return value
    parent, last = _parent(doc, parts)
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise KubeStatus(422, "Invalid", "the server rejected our request due to an error in our request")
    else:
        raise KubeStatus(422, "Invalid", "the server rejected our request due to an error in our request")
    return doc


def json_patch(doc: Any, ops: Any) -> Any:
    """RFC 6902 (all or nothing: works on a copy)."""
    if not isinstance(ops, list):
        raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise bad_request("invalid JSON patch operation")
        kind, parts = op["op"], _pointer(op.get("path"))
        if kind == "add":
            doc = _add(doc, parts, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, parts)
        elif kind == "replace":
            _get(doc, parts)
            if not parts:
                doc = copy.deepcopy(op.get("value"))
            else:
                parent, last = _parent(doc, parts)
                if isinstance(parent, dict):
                    parent[last] = copy.deepcopy(op.get("value"))
                else:
                    parent[int(last)] = copy.deepcopy(op.get("value"))
        elif kind in ("move", "copy"):
            src = _pointer(op.get("from"))
            value = _remove(doc, src) if kind == "move" else copy.deepcopy(_get(doc, src))
            doc = _add(doc, parts, value)
        elif kind == "test":
            if _get(doc, parts) != op.get("value"):
                raise KubeStatus(422, "Invalid", "the server rejected our request due to an error in our request")
        else:
            raise bad_request(f"Unexpected kind: {kind}")
    return doc


# --- server-side apply: field sets ---------------------------------------------------------


def field_set(value: Any) -> dict[str, Any]:
    """The ``fieldsV1`` of an applied configuration (maps as ``f:``, keyed list items as ``k:``)."""
    out: dict[str, Any] = {}
    if not isinstance(value, dict):
        return out
    for k, v in value.items():
        if k in ("apiVersion", "kind"):
            continue
        if isinstance(v, dict) and v:
            out[f"f:{k}"] = field_set(v)
        elif isinstance(v, list) and v and all(isinstance(i, dict) for i in v) and _merge_key(k, v):
            key = _merge_key(k, v)
            out[f"f:{k}"] = {
                "k:" + _compact({key: i.get(key)}): {".": {}, **field_set(i)} for i in v if key in i
            }
        else:
            out[f"f:{k}"] = {}
    return out


def _compact(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))
