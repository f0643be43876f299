"""Label and field selectors, parsed like ``k8s.io/apimachinery/pkg/labels`` and ``fields``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from akslocal.kube.errors import bad_request

_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE = re.compile(r"^(([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?)$")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, Any]) -> bool:
        has = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return has
        if self.op == "!":
            return not has
        if self.op in ("=", "in"):
            return has and value in self.values
        return not has or value not in self.values  # != and notin


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def _check_key(key: str, text: str) -> str:
    if not _KEY.match(key) or len(key.split("/")[-1]) > 63:
        raise bad_request(f"unable to parse requirement: invalid label key \"{key}\" in selector \"{text}\"")
    return key


def _check_value(value: str, text: str) -> str:
    if len(value) > 63 or not _VALUE.match(value):
        raise bad_request(f"unable to parse requirement: invalid label value: \"{value}\" in selector \"{text}\"")
    return value


def parse_label_selector(text: str) -> list[Requirement]:
    reqs: list[Requirement] = []
    if len(text) > 10_000:
        raise bad_request("labelSelector is too long")
    for part in _split_top(text):
        m = re.match(r"^(\S+)\s+(notin|in)\s*\((.*)\)$", part)
        if m:
            values = tuple(_check_value(v.strip(), text) for v in m.group(3).split(",") if v.strip())
            reqs.append(Requirement(_check_key(m.group(1), text), m.group(2), values))
            continue
        for op in ("!=", "==", "="):
            if op in part:
                key, value = part.split(op, 1)
                reqs.append(Requirement(_check_key(key.strip(), text), "!=" if op == "!=" else "=",
                                        (_check_value(value.strip(), text),)))
                break
        else:
            if part.startswith("!"):
                reqs.append(Requirement(_check_key(part[1:].strip(), text), "!"))
            else:
                reqs.append(Requirement(_check_key(part, text), "exists"))
    return reqs


def labels_match(reqs: list[Requirement], labels: Mapping[str, Any] | None) -> bool:
    labels = labels if isinstance(labels, Mapping) else {}
    return all(r.matches(labels) for r in reqs)


def selector_from_label_selector(sel: Any) -> list[Requirement] | None:
    """A ``metav1.LabelSelector`` dict as requirements (``None``: selects nothing)."""
    if not isinstance(sel, Mapping):
        return None
    reqs = [Requirement(k, "=", (str(v),)) for k, v in (sel.get("matchLabels") or {}).items()]
    for expr in sel.get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}.get(expr.get("operator"))
        if op is None:
            return None
        reqs.append(Requirement(expr.get("key", ""), op, tuple(expr.get("values") or ())))
    return reqs


# Field selectors: upstream supports metadata.name/namespace everywhere plus a few per kind.
_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "metadata.name": lambda o: o.get("metadata", {}).get("name", ""),
    "metadata.namespace": lambda o: o.get("metadata", {}).get("namespace", ""),
    "spec.nodeName": lambda o: (o.get("spec") or {}).get("nodeName", ""),
    "status.phase": lambda o: (o.get("status") or {}).get("phase", ""),
    "spec.restartPolicy": lambda o: (o.get("spec") or {}).get("restartPolicy", ""),
    "spec.schedulerName": lambda o: (o.get("spec") or {}).get("schedulerName", ""),
    "spec.serviceAccountName": lambda o: (o.get("spec") or {}).get("serviceAccountName", ""),
    "status.podIP": lambda o: (o.get("status") or {}).get("podIP", ""),
    "spec.unschedulable": lambda o: str(bool((o.get("spec") or {}).get("unschedulable"))).lower(),
    "type": lambda o: str(o.get("type", "")),
    "involvedObject.name": lambda o: (o.get("involvedObject") or {}).get("name", ""),
    "involvedObject.kind": lambda o: (o.get("involvedObject") or {}).get("kind", ""),
    "involvedObject.namespace": lambda o: (o.get("involvedObject") or {}).get("namespace", ""),
    "involvedObject.uid": lambda o: (o.get("involvedObject") or {}).get("uid", ""),
    "involvedObject.apiVersion": lambda o: (o.get("involvedObject") or {}).get("apiVersion", ""),
    "involvedObject.resourceVersion": lambda o: (o.get("involvedObject") or {}).get("resourceVersion", ""),
    "involvedObject.fieldPath": lambda o: (o.get("involvedObject") or {}).get("fieldPath", ""),
    "source": lambda o: (o.get("source") or {}).get("component", ""),
    "reportingComponent": lambda o: str(o.get("reportingComponent", "")),
    "reason": lambda o: str(o.get("reason", "")),
}

_FIELDS_BY_KIND = {
    "Pod": {"spec.nodeName", "status.phase", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "status.podIP"},
    "Node": {"spec.unschedulable"},
    "Secret": {"type"},
    "Event": {"involvedObject.name", "involvedObject.kind", "involvedObject.namespace", "involvedObject.uid",
              "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
              "type", "source", "reportingComponent"},
    "Namespace": {"status.phase"},
}


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    value: str
    negate: bool

    def matches(self, obj: dict[str, Any]) -> bool:
        return (_FIELDS[self.field](obj) == self.value) != self.negate


def parse_field_selector(text: str, kind: str, version: str = "v1") -> list[FieldRequirement]:
    reqs = []
    for part in _split_top(text):
        for op in ("!=", "==", "="):
            if op in part:
                field, value = part.split(op, 1)
                field = field.strip()
                if field not in ("metadata.name", "metadata.namespace") and field not in _FIELDS_BY_KIND.get(kind, ()):
                    raise bad_request(f'field label not supported: {field}')
                reqs.append(FieldRequirement(field, value.strip(), op == "!="))
                break
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
    return reqs


def name_from_field_selector(reqs: list[FieldRequirement]) -> str:
    """The exact ``metadata.name`` a list asks for (RBAC treats it as the request's name)."""
    for r in reqs:
        if r.field == "metadata.name" and not r.negate:
            return r.value
    return ""
