"""Who may do this?  The RBAC subject locator (upstream ``subject_locator.go``
``SubjectAccessEvaluator.AllowedSubjects``), for "who can" diagnostics.

Unlike a decision, this is inherently a walk over every binding (it asks which bindings
allow the attributes, whoever they name), so the caller passes the binding lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akslocal.kube.rbac import RbacReader, role_reference_rules, rule_allows
from akslocal.kube.rbac_types import MASTERS_GROUP, RBAC_GROUP, Attributes


def _namespace_of(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    ns = meta.get("namespace") if isinstance(meta, Mapping) else None
    return ns if isinstance(ns, str) else ""


def allowed_subjects(
    reader: RbacReader,
    attrs: Attributes,
    *,
    cluster_role_bindings: Iterable[Mapping[str, Any]],
    role_bindings: Iterable[Mapping[str, Any]] = (),
    super_user: str = "",
) -> tuple[list[dict[str, Any]], list[str]]:
    """The subjects allowed to perform ``attrs`` (``attrs.user`` is ignored): ``Group
    system:masters`` first, then the configured ``super_user``, then the subjects of every
    ClusterRoleBinding whose role allows it, then those of the RoleBindings in
    ``attrs.namespace`` (only when it is set).  Subjects are returned in that order with
    exact duplicates removed, plus the resolution errors met (rules are additive, so an
    unresolvable binding is skipped, not fatal)."""
    subjects: list[dict[str, Any]] = [{"kind": "Group", "apiGroup": RBAC_GROUP, "name": MASTERS_GROUP}]
    if super_user:
        subjects.append({"kind": "User", "apiGroup": RBAC_GROUP, "name": super_user})
    errors: list[str] = []

    def collect(binding: Mapping[str, Any], namespace: str) -> None:
        rules, err = role_reference_rules(reader, binding.get("roleRef"), namespace)
        if err is not None:
            errors.append(err)
        found = binding.get("subjects")
        if isinstance(found, list) and any(rule_allows(attrs, r) for r in rules):
            subjects.extend(dict(s) for s in found if isinstance(s, Mapping))

    for crb in cluster_role_bindings:
        collect(crb, "")
    if attrs.namespace:
        for rb in role_bindings:
            if _namespace_of(rb) == attrs.namespace:
                collect(rb, attrs.namespace)
    unique: list[dict[str, Any]] = []
    for s in subjects:
        if s not in unique:
            unique.append(s)
    return unique, errors
