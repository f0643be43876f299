"""ClusterRole aggregation, like upstream's clusterrole-aggregation controller
(``pkg/controller/clusterroleaggregation``), plus the ``metav1.LabelSelector`` matching it
needs.  Pure functions over ClusterRole JSON dicts; re-exported by :mod:`akslocal.kube.rbac`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from akslocal.kube.rbac_types import PolicyRule, rule_from_dict


def _name_of(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    return name if isinstance(name, str) else ""


def label_selector_matches(selector: Any, labels: Mapping[str, Any]) -> bool:
    """A ``metav1.LabelSelector`` (``matchLabels`` and ``matchExpressions`` with In, NotIn,
    Exists, DoesNotExist).  ``{}`` selects everything; ``null`` or an invalid selector
    selects nothing."""
    if not isinstance(selector, Mapping):
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, Mapping) or not isinstance(expressions, list):
        return False
    for k, v in match_labels.items():
        if labels.get(k) != v:
            return False
    for expr in expressions:
        if not isinstance(expr, Mapping) or not isinstance(expr.get("key"), str):
            return False
        key, op, values = expr["key"], expr.get("operator"), expr.get("values") or []
        if not isinstance(values, list):
            return False
        if op == "In":
            if not values or key not in labels or labels[key] not in values:
                return False
        elif op == "NotIn":
            if not values or (key in labels and labels[key] in values):
                return False
        elif op == "Exists":
            if values or key not in labels:
                return False
        elif op == "DoesNotExist":
            if values or key in labels:
                return False
        else:
            return False
    return True


def _labels_of(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, Mapping) else None
    return labels if isinstance(labels, Mapping) else {}


def _selectors_of(obj: Mapping[str, Any]) -> list[Any] | None:
    agg = obj.get("aggregationRule")
    if not isinstance(agg, Mapping):
        return None
    selectors = agg.get("clusterRoleSelectors")
    return selectors if isinstance(selectors, list) else None


def aggregate_cluster_roles(cluster_roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill the ``rules`` of every ClusterRole that has an ``aggregationRule``, like the
    clusterrole-aggregation controller, iterated to a fixed point (``view`` feeds ``edit``
    feeds ``admin``).  For each selector in order, the matching ClusterRoles sorted by
    name (the role itself skipped) contribute their rules, skipping rules already present.
    Returns deep copies in the input order; the input is not modified."""
    roles = [copy.deepcopy(r) for r in cluster_roles]
    by_name = sorted(roles, key=_name_of)
    aggregating = [r for r in roles if _selectors_of(r) is not None]
    # Sequential updates converge within len(aggregating)+1 passes for any acyclic chain;
    # the cap keeps a cycle of aggregating roles from looping forever.
    for _ in range(len(aggregating) + 1):
        changed = False
        for role in aggregating:
            new_rules: list[Any] = []
            seen: list[PolicyRule] = []
            for selector in _selectors_of(role) or []:
                for other in by_name:
                    if other is role or not label_selector_matches(selector, _labels_of(other)):
                        continue
                    other_rules = other.get("rules")
                    for raw in other_rules if isinstance(other_rules, list) else []:
                        parsed = rule_from_dict(raw)
                        if parsed not in seen:
                            seen.append(parsed)
                            new_rules.append(copy.deepcopy(raw))
            current = role.get("rules")
            if not isinstance(current, list) or [rule_from_dict(r) for r in current] != seen:
                role["rules"] = new_rules
                changed = True
        if not changed:
            break
    return roles
