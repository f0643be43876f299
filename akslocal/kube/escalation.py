"""RBAC privilege-escalation prevention for writes to roles and bindings.

Upstream runs this in the storage layer of ``roles``, ``clusterroles``, ``rolebindings``
and ``clusterrolebindings`` after the normal authorization of the write
(``pkg/registry/rbac/escalation_check.go``, ``.../policybased/storage.go``,
``validation/rule.go`` ``ConfirmNoEscalation`` and component-helpers
``policy_comparator.go`` ``Covers``).  A write is allowed when, in this order:

1. the user is in ``system:masters`` - **the caller checks this and skips these
   functions**;
2. (roles) the user may ``escalate`` / (bindings) may ``bind`` - **the caller evaluates
   that with** :func:`akslocal.kube.rbac.authorize` on :func:`escalate_attributes` /
   :func:`bind_attributes` and passes the result as ``can_escalate`` / ``can_bind``;
3. an update changes only garbage-collection fields (pass ``old_obj``);
4. the user already holds every permission the object grants (:func:`covers` against
   :func:`akslocal.kube.rbac.rules_for` in the request namespace).

The ``check_*`` functions return ``None`` when the write may proceed, otherwise the exact
upstream ``Status.message``; the ``explain_*`` variants also give the Status reason and code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from akslocal.kube.rbac import RbacReader, role_reference_rules, rules_for
from akslocal.kube.rbac_types import (
    ALL,
    RBAC_GROUP,
    Attributes,
    PolicyRule,
    UserInfo,
    aggregate_message,
    forbidden_message,
    go_quote,
    go_quote_list,
    rules_of,
)

#: What a user must hold to write an ``aggregationRule`` (upstream ``fullAuthority``).
FULL_AUTHORITY = (
    PolicyRule(verbs=(ALL,), api_groups=(ALL,), resources=(ALL,)),
    PolicyRule(verbs=(ALL,), non_resource_urls=(ALL,)),
)

AGGREGATION_RULE_MESSAGE = "must have cluster-admin privileges to use the aggregationRule"


@dataclass(frozen=True)
class WriteDenial:
    """Why a role/binding write is refused: the ``metav1.Status`` reason, code and message.
    ``Forbidden``/403 for escalation; ``NotFound``/404 when a binding's roleRef does not
    resolve (and ``bind`` is not held); ``InternalError``/500 for an unsupported roleRef
    kind (upstream returns a plain error there; validation normally rejects it first)."""

    reason: str
    code: int
    message: str


# --- the policy comparator ---------------------------------------------------------------


def breakdown_rule(rule: PolicyRule) -> list[PolicyRule]:
    """Split a rule into atomic sub-rules: one group, one resource, one verb and at most
    one resource name each; every nonResourceURL paired with every verb."""
    out: list[PolicyRule] = []
    for group in rule.api_groups:
        for resource in rule.resources:
            for verb in rule.verbs:
                if rule.resource_names:
                    out.extend(
                        PolicyRule(verbs=(verb,), api_groups=(group,), resources=(resource,), resource_names=(n,))
                        for n in rule.resource_names
                    )
                else:
                    out.append(PolicyRule(verbs=(verb,), api_groups=(group,), resources=(resource,)))
    for url in rule.non_resource_urls:
        for verb in rule.verbs:
            out.append(PolicyRule(verbs=(verb,), non_resource_urls=(url,)))
    return out


def _has_all(owner: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    return all(w in owner for w in wanted)


def _resources_cover(owner: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    if ALL in owner or _has_all(owner, wanted):
        return True
    for path in wanted:
        if path in owner:
            continue
        if "/" not in path:
            return False
        if "*/" + path.split("/", 1)[1] not in owner:
            return False
    return True


def non_resource_url_covers(owner_url: str, url: str) -> bool:
    """``*`` covers everything, ``/api/*`` covers ``/api/v1`` but not ``/api``; a ``*``
    anywhere but at the end is literal."""
    return owner_url == url or (owner_url.endswith("*") and url.startswith(owner_url.rstrip("*")))


def rule_covers(owner: PolicyRule, sub: PolicyRule) -> bool:
    """Whether one owner rule covers one atomic sub-rule.  Wildcards in the sub-rule are
    literal: only an owner ``*`` covers a requested ``*``."""
    if not (ALL in owner.verbs or _has_all(owner.verbs, sub.verbs)):
        return False
    if not (ALL in owner.api_groups or _has_all(owner.api_groups, sub.api_groups)):
        return False
    if not _resources_cover(owner.resources, sub.resources):
        return False
    if not all(any(non_resource_url_covers(o, u) for o in owner.non_resource_urls) for u in sub.non_resource_urls):
        return False
    if not sub.resource_names:
        return not owner.resource_names
    return not owner.resource_names or _has_all(owner.resource_names, sub.resource_names)


def covers(owner_rules: Iterable[PolicyRule], requested_rules: Iterable[PolicyRule]) -> tuple[bool, list[PolicyRule]]:
    """Upstream ``Covers``: every atomic sub-rule of the requested rules must be covered by
    some single owner rule (several owner rules may jointly cover one requested rule).
    Returns ``(covered, uncovered atomic sub-rules)``."""
    owners = list(owner_rules)
    uncovered = [
        sub
        for rule in requested_rules
        for sub in breakdown_rule(rule)
        if not any(rule_covers(owner, sub) for owner in owners)
    ]
    return not uncovered, uncovered


def compact_rules(rules: Iterable[PolicyRule]) -> list[PolicyRule]:
    """Upstream ``CompactRules``: merge simple rules (one group, one resource, at most one
    name, nothing else) that differ only by verb, concatenating verbs in order."""
    complex_rules: list[PolicyRule] = []
    simple: dict[tuple[str, str, str | None], PolicyRule] = {}
    for r in rules:
        is_simple = (
            len(r.api_groups) == 1 and len(r.resources) == 1 and len(r.resource_names) <= 1 and not r.non_resource_urls
        )
        if not is_simple:
            complex_rules.append(r)
            continue
        key = (r.api_groups[0], r.resources[0], r.resource_names[0] if r.resource_names else None)
        if key in simple:
            prev = simple[key]
            simple[key] = PolicyRule(
                verbs=prev.verbs + r.verbs,
                api_groups=prev.api_groups,
                resources=prev.resources,
                resource_names=prev.resource_names,
            )
        else:
            simple[key] = r
    return complex_rules + list(simple.values())


def compact_string(rule: PolicyRule) -> str:
    """Upstream ``CompactString``: ``{APIGroups:["g"], Resources:["r"], NonResourceURLs:[..],
    ResourceNames:[..], Verbs:["v"]}`` with only the non-empty fields, in that order."""
    parts = []
    for label, values in (
        ("APIGroups", rule.api_groups),
        ("Resources", rule.resources),
        ("NonResourceURLs", rule.non_resource_urls),
        ("ResourceNames", rule.resource_names),
        ("Verbs", rule.verbs),
    ):
        if values:
            parts.append(f"{label}:{go_quote_list(values)}")
    return "{" + ", ".join(parts) + "}"


def confirm_no_escalation(
    reader: RbacReader, user: UserInfo, namespace: str, rules: Iterable[PolicyRule]
) -> str | None:
    """Upstream ``ConfirmNoEscalation``: ``None`` if the user's rules in ``namespace`` cover
    ``rules``, else ``user "u" (groups=[...]) is attempting to grant RBAC permissions not
    currently held:\\n<sorted compact rules>`` (plus ``; resolution errors: [...]``)."""
    owner_rules, errors = rules_for(reader, user, namespace, registry=True)
    ok, missing = covers(owner_rules, rules)
    if ok:
        return None
    descriptions = sorted({compact_string(r) for r in compact_rules(missing)})
    msg = (
        f"user {go_quote(user.name)} (groups={go_quote_list(user.groups)}) is attempting to grant RBAC permissions"
        " not currently held:\n" + "\n".join(descriptions)
    )
    if errors:
        # Go prints a []error holding one aggregate: "[" + aggregate.Error() + "]".
        msg += f"; resolution errors: [{aggregate_message(errors)}]"
    return msg


# --- the write checks --------------------------------------------------------------------


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _name(obj: Mapping[str, Any]) -> str:
    name = _meta(obj).get("name")
    return name if isinstance(name, str) else ""


_GC_FIELDS = ("ownerReferences", "finalizers", "selfLink")


def only_gc_fields_changed(old_obj: Mapping[str, Any] | None, new_obj: Mapping[str, Any]) -> bool:
    """Upstream ``IsOnlyMutatingGCFields``: the update changes nothing but
    ``metadata.ownerReferences`` and ``metadata.finalizers`` (and the obsolete ``selfLink``)."""
    if not isinstance(old_obj, Mapping):
        return False

    def strip(obj: Mapping[str, Any]) -> dict[str, Any]:
        doc = dict(obj)
        meta = {k: v for k, v in _meta(obj).items() if k not in _GC_FIELDS}
        doc["metadata"] = meta
        return doc

    return strip(old_obj) == strip(new_obj)


def _has_aggregation_rule(obj: Mapping[str, Any] | None) -> bool:
    if not isinstance(obj, Mapping):
        return False
    agg = obj.get("aggregationRule")
    return isinstance(agg, Mapping) and bool(agg.get("clusterRoleSelectors"))


def escalate_attributes(user: UserInfo, namespace: str, cluster_scoped: bool, request_name: str) -> Attributes:
    """The attributes upstream ``RoleEscalationAuthorized`` checks: verb ``escalate`` on
    ``roles``/``clusterroles`` named by the **request URL** (``""`` for a create, so a
    ``resourceNames``-limited grant only helps updates)."""
    return Attributes(
        user=user,
        verb="escalate",
        namespace="" if cluster_scoped else namespace,
        api_group=RBAC_GROUP,
        resource="clusterroles" if cluster_scoped else "roles",
        name=request_name,
    )


def bind_attributes(user: UserInfo, binding_namespace: str, role_ref: Mapping[str, Any]) -> Attributes:
    """The attributes upstream ``BindingAuthorized`` checks: verb ``bind`` on the referenced
    role (group = ``roleRef.apiGroup``, ``roles`` for kind Role else ``clusterroles``, name =
    ``roleRef.name``) in the binding's namespace (``""`` for a ClusterRoleBinding)."""
    group, name = role_ref.get("apiGroup"), role_ref.get("name")
    return Attributes(
        user=user,
        verb="bind",
        namespace=binding_namespace,
        api_group=group if isinstance(group, str) else "",
        resource="roles" if role_ref.get("kind") == "Role" else "clusterroles",
        name=name if isinstance(name, str) else "",
    )


def explain_role_write(
    reader: RbacReader,
    user: UserInfo,
    namespace: str,
    role_obj: Mapping[str, Any],
    can_escalate: bool,
    *,
    old_obj: Mapping[str, Any] | None = None,
) -> WriteDenial | None:
    """The escalation check for creating (``old_obj=None``) or updating a Role or
    ClusterRole.  ``role_obj["kind"]`` says which; without a kind, ``namespace == ""``
    means ClusterRole.  A ClusterRole with an ``aggregationRule`` (new or old) also needs
    full authority (``*`` on everything), unless ``can_escalate``."""
    if can_escalate or only_gc_fields_changed(old_obj, role_obj):
        return None
    kind = role_obj.get("kind")
    cluster_scoped = kind == "ClusterRole" or (kind != "Role" and not namespace)
    resource = "clusterroles" if cluster_scoped else "roles"
    scope = "" if cluster_scoped else namespace
    name = _name(role_obj)
    err = confirm_no_escalation(reader, user, scope, rules_of(role_obj))
    if err is not None:
        return WriteDenial("Forbidden", 403, forbidden_message(resource, name, err))
    if cluster_scoped and (_has_aggregation_rule(role_obj) or _has_aggregation_rule(old_obj)):
        if confirm_no_escalation(reader, user, scope, FULL_AUTHORITY) is not None:
            return WriteDenial("Forbidden", 403, forbidden_message(resource, name, AGGREGATION_RULE_MESSAGE))
    return None


def check_role_write(
    reader: RbacReader,
    user: UserInfo,
    namespace: str,
    role_obj: Mapping[str, Any],
    can_escalate: bool,
    *,
    old_obj: Mapping[str, Any] | None = None,
) -> str | None:
    """``None`` if the Role/ClusterRole write may proceed, else the exact 403 message, e.g.
    ``roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=["g"]) is
    attempting to grant RBAC permissions not currently held:\\n{APIGroups:[""],
    Resources:["pods"], Verbs:["get"]}``.  See :func:`explain_role_write`."""
    denial = explain_role_write(reader, user, namespace, role_obj, can_escalate, old_obj=old_obj)
    return None if denial is None else denial.message


def explain_binding_write(
    reader: RbacReader,
    user: UserInfo,
    namespace: str,
    binding_obj: Mapping[str, Any],
    can_bind: bool,
    *,
    old_obj: Mapping[str, Any] | None = None,
) -> WriteDenial | None:
    """The escalation check for creating or updating a RoleBinding (``namespace`` = its
    namespace) or ClusterRoleBinding (``namespace == ""`` or kind ClusterRoleBinding): the
    referenced role's rules must be covered by the user's rules in that namespace, unless
    ``can_bind``.  An unresolvable roleRef gives the registry's NotFound."""
    if can_bind or only_gc_fields_changed(old_obj, binding_obj):
        return None
    cluster_scoped = binding_obj.get("kind") == "ClusterRoleBinding" or not namespace
    resource = "clusterrolebindings" if cluster_scoped else "rolebindings"
    scope = "" if cluster_scoped else namespace
    rules, err = role_reference_rules(reader, binding_obj.get("roleRef"), scope, registry=True)
    if err is not None:
        if err.endswith(" not found"):
            return WriteDenial("NotFound", 404, err)
        return WriteDenial("InternalError", 500, err)
    msg = confirm_no_escalation(reader, user, scope, rules)
    if msg is not None:
        return WriteDenial("Forbidden", 403, forbidden_message(resource, _name(binding_obj), msg))
    return None


def check_binding_write(
    reader: RbacReader,
    user: UserInfo,
    namespace: str,
    binding_obj: Mapping[str, Any],
    can_bind: bool,
    *,
    old_obj: Mapping[str, Any] | None = None,
) -> str | None:
    """``None`` if the RoleBinding/ClusterRoleBinding write may proceed, else the exact
    upstream message (``rolebindings.rbac.authorization.k8s.io "b" is forbidden: user ...``,
    or ``clusterroles.rbac.authorization.k8s.io "r" not found`` - a 404, see
    :func:`explain_binding_write`)."""
    denial = explain_binding_write(reader, user, namespace, binding_obj, can_bind, old_obj=old_obj)
    return None if denial is None else denial.message


__all__ = [
    "AGGREGATION_RULE_MESSAGE",
    "FULL_AUTHORITY",
    "WriteDenial",
    "bind_attributes",
    "breakdown_rule",
    "check_binding_write",
    "check_role_write",
    "compact_rules",
    "compact_string",
    "confirm_no_escalation",
    "covers",
    "escalate_attributes",
    "explain_binding_write",
    "explain_role_write",
    "non_resource_url_covers",
    "only_gc_fields_changed",
    "rule_covers",
]
