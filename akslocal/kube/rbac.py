"""Kubernetes RBAC as pure decision code: the authorizer and rule resolver of upstream
``plugin/pkg/auth/authorizer/rbac/rbac.go`` and ``pkg/registry/rbac/validation/rule.go``.

No HTTP and no store: objects are Kubernetes JSON dicts served by an :class:`RbacReader`.
The reader is asked only for the bindings that name one of the user's subjects
(:func:`subject_keys_for`), so a decision costs O(the user's groups), not O(all bindings);
the API server indexes bindings with :func:`binding_subject_keys`.

Semantics (all upstream):

* ClusterRoleBindings first, then - only for a namespaced request - the RoleBindings of
  that namespace; the first matching rule allows; otherwise no opinion (``allowed=False``),
  with unresolvable role references folded into the reason.
* A RoleBinding to a ClusterRole grants its rules only inside the binding's namespace.
* ``system:masters`` is NOT handled here: kube-apiserver puts a superuser authorizer in
  front of RBAC; the caller must do the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from akslocal.kube.rbac_aggregation import aggregate_cluster_roles, label_selector_matches
from akslocal.kube.rbac_types import (
    ALL,
    RBAC_GROUP,
    SERVICE_ACCOUNT_USERNAME_PREFIX,
    Attributes,
    Decision,
    PolicyRule,
    UserInfo,
    aggregate_message,
    go_quote,
    rule_from_dict,
    rule_to_dict,
    rules_of,
)

__all__ = [
    "Attributes",
    "Decision",
    "PolicyRule",
    "RbacReader",
    "StaticRoles",
    "UserInfo",
    "aggregate_cluster_roles",
    "authorize",
    "binding_subject_keys",
    "label_selector_matches",
    "role_reference_rules",
    "rule_allows",
    "rule_from_dict",
    "rule_to_dict",
    "rules_for",
    "rules_review_status",
    "subject_keys_for",
]


class RbacReader(Protocol):
    """What the decision code reads.  All objects are Kubernetes JSON dicts.

    * ``get_role(namespace, name)`` / ``get_cluster_role(name)``: the object or ``None``.
    * ``list_cluster_role_bindings_for(subject_keys)``: the ClusterRoleBindings with at least
      one subject whose key (:func:`binding_subject_keys`, evaluated with namespace ``""``)
      is in ``subject_keys``.
    * ``list_role_bindings_for(namespace, subject_keys)``: the same for the RoleBindings of
      ``namespace`` (ServiceAccount subjects without a namespace default to it).

    Returning extra bindings is harmless (every binding is re-checked against the user), so
    a reader may over-approximate; it must not leave out a binding that applies.  Each
    binding should be returned once; duplicates are skipped by (namespace, name).  A
    RoleBinding whose ``metadata.namespace`` is not the requested namespace is ignored.
    """

    def get_role(self, namespace: str, name: str) -> dict[str, Any] | None: ...

    def get_cluster_role(self, name: str) -> dict[str, Any] | None: ...

    def list_cluster_role_bindings_for(self, subject_keys: Iterable[str]) -> list[dict[str, Any]]: ...

    def list_role_bindings_for(self, namespace: str, subject_keys: Iterable[str]) -> list[dict[str, Any]]: ...


# --- subjects ----------------------------------------------------------------------------


def subject_keys_for(user: UserInfo) -> list[str]:
    """The index keys of every binding subject that can apply to ``user``:
    ``User:<name>``, ``Group:<g>`` for each of the user's groups, and for a
    ``system:serviceaccount:<ns>:<name>`` username ``ServiceAccount:<ns>:<name>``.

    Groups are the user's own (service-account tokens already carry
    ``system:serviceaccounts`` and ``system:serviceaccounts:<ns>``); nothing is added,
    because upstream matches only the groups the authenticator produced.
    """
    keys = [f"User:{user.name}"]
    keys.extend(f"Group:{g}" for g in user.groups)
    if user.name.startswith(SERVICE_ACCOUNT_USERNAME_PREFIX):
        # Upstream MatchesUsername is a plain string comparison with
        # "system:serviceaccount:" + ns + ":" + name, so the raw remainder is the key.
        keys.append("ServiceAccount:" + user.name[len(SERVICE_ACCOUNT_USERNAME_PREFIX) :])
    return keys


def _subject_key(subject: Any, binding_namespace: str) -> str | None:
    if not isinstance(subject, Mapping):
        return None
    kind, name = subject.get("kind"), subject.get("name")
    if not isinstance(name, str):
        return None
    if kind == "User":
        return f"User:{name}"
    if kind == "Group":
        return f"Group:{name}"
    if kind == "ServiceAccount":
        ns = subject.get("namespace")
        ns = ns if isinstance(ns, str) and ns else binding_namespace
        return f"ServiceAccount:{ns}:{name}" if ns else None
    return None


def binding_subject_keys(binding: Mapping[str, Any]) -> list[str]:
    """The index keys of a (Cluster)RoleBinding's subjects, for the API server's
    by-subject index.  A RoleBinding's namespace (``metadata.namespace``) is the default
    namespace of its ServiceAccount subjects; a ClusterRoleBinding's SA subject without a
    namespace never matches anyone and gets no key."""
    ns = _namespace_of(binding)
    subjects = binding.get("subjects")
    if not isinstance(subjects, list):
        return []
    keys: list[str] = []
    for s in subjects:
        key = _subject_key(s, ns)
        if key is not None and key not in keys:
            keys.append(key)
    return keys


def _namespace_of(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    ns = meta.get("namespace") if isinstance(meta, Mapping) else None
    return ns if isinstance(ns, str) else ""


def _name_of(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    return name if isinstance(name, str) else ""


def _applies_to(user: UserInfo, groups: frozenset[str], subjects: Any, namespace: str) -> Mapping[str, Any] | None:
    """The first subject of a binding that applies to the user (upstream ``appliesTo``)."""
    if not isinstance(subjects, list):
        return None
    for s in subjects:
        if not isinstance(s, Mapping):
            continue
        kind, name = s.get("kind"), s.get("name")
        if kind == "User":
            if name == user.name:
                return s
        elif kind == "Group":
            if name in groups:
                return s
        elif kind == "ServiceAccount":
            sa_ns = s.get("namespace") or namespace
            if isinstance(sa_ns, str) and sa_ns and isinstance(name, str):
                if user.name == f"{SERVICE_ACCOUNT_USERNAME_PREFIX}{sa_ns}:{name}":
                    return s
    return None


def _describe_subject(subject: Mapping[str, Any], binding_namespace: str) -> str:
    kind, name = str(subject.get("kind")), str(subject.get("name"))
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_namespace
        return f"{kind} {go_quote(name + '/' + str(ns))}"
    return f"{kind} {go_quote(name)}"


# --- rule matching -----------------------------------------------------------------------


def _resource_matches(rule: PolicyRule, combined: str, subresource: str) -> bool:
    for r in rule.resources:
        if r == ALL or r == combined:
            return True
        # "*/scale" covers "<anything>/scale" (only when a subresource was requested).
        if subresource and len(r) == len(subresource) + 2 and r.startswith("*/") and r.endswith(subresource):
            return True
    return False


def _non_resource_url_matches(rule: PolicyRule, path: str) -> bool:
    for url in rule.non_resource_urls:
        if url == ALL or url == path:
            return True
        # A trailing "*" is a raw string prefix: "/healthz*" matches "/healthzfoo".
        if url.endswith("*") and path.startswith(url.rstrip("*")):
            return True
    return False


def rule_allows(attrs: Attributes, rule: PolicyRule) -> bool:
    """Whether one rule allows the request (upstream ``RuleAllows``).

    * verb and apiGroup: ``*`` or exact;
    * resource: ``*``, exact ``resource`` or ``resource/subresource``, or ``*/<sub>`` for a
      subresource request (``pods`` does not cover ``pods/status``; ``pods/*`` is literal);
    * resourceNames: empty matches any name, else the request's name must be listed (so
      ``create`` on a collection and plain ``list`` never match a named rule);
    * non-resource: ``*``, exact path, or a trailing-``*`` string prefix.
    """
    verbs = rule.verbs
    if ALL not in verbs and attrs.verb not in verbs:
        return False
    if not attrs.is_resource_request:
        return _non_resource_url_matches(rule, attrs.path)
    if ALL not in rule.api_groups and attrs.api_group not in rule.api_groups:
        return False
    combined = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    if not _resource_matches(rule, combined, attrs.subresource):
        return False
    return not rule.resource_names or attrs.name in rule.resource_names


# --- role resolution and the visitor -----------------------------------------------------


def _not_found(resource: str, name: str, registry: bool) -> str:
    # The authorizer reads through informer listers (singular "clusterrole"); the
    # escalation check reads through the registry (plural "clusterroles").
    plural = resource + "s" if registry else resource
    return f"{plural}.{RBAC_GROUP} {go_quote(name)} not found"


def role_reference_rules(
    reader: RbacReader, role_ref: Any, binding_namespace: str, *, registry: bool = False
) -> tuple[list[PolicyRule], str | None]:
    """Resolve a binding's ``roleRef`` (upstream ``GetRoleReferenceRules``): a ``Role`` in
    the binding's namespace, or a ``ClusterRole`` by name.  Returns the rules and an error
    message (``role.rbac.authorization.k8s.io "x" not found`` - ``roles...`` with
    ``registry=True`` - or ``unsupported role reference kind: "K"``)."""
    ref = role_ref if isinstance(role_ref, Mapping) else {}
    kind, name = ref.get("kind"), ref.get("name")
    name = name if isinstance(name, str) else ""
    if kind == "Role":
        role = reader.get_role(binding_namespace, name) if binding_namespace else None
        if role is None:
            return [], _not_found("role", name, registry)
        return rules_of(role), None
    if kind == "ClusterRole":
        cluster_role = reader.get_cluster_role(name)
        if cluster_role is None:
            return [], _not_found("clusterrole", name, registry)
        return rules_of(cluster_role), None
    return [], f"unsupported role reference kind: {go_quote(kind if isinstance(kind, str) else '')}"


def _visit(
    reader: RbacReader, user: UserInfo, namespace: str, *, registry: bool = False
) -> Iterator[tuple[str, PolicyRule | None, str | None]]:
    """Yield ``(source, rule, error)`` for every rule that applies to ``user`` in
    ``namespace`` (upstream ``VisitRulesFor``); stop iterating to short-circuit."""
    keys = subject_keys_for(user)
    groups = frozenset(user.groups)
    seen: set[tuple[str, str]] = set()
    for crb in reader.list_cluster_role_bindings_for(keys):
        ident = ("", _name_of(crb))
        if ident[1] and ident in seen:
            continue
        seen.add(ident)
        subject = _applies_to(user, groups, crb.get("subjects"), "")
        if subject is None:
            continue
        ref = crb.get("roleRef")
        rules, err = role_reference_rules(reader, ref, "", registry=registry)
        if err is not None:
            yield "", None, err
            continue
        source = (
            f"ClusterRoleBinding {go_quote(ident[1])} of {ref.get('kind')} {go_quote(str(ref.get('name')))}"
            f" to {_describe_subject(subject, '')}"
        )
        for rule in rules:
            yield source, rule, None
    if not namespace:
        return
    for rb in reader.list_role_bindings_for(namespace, keys):
        ident = (namespace, _name_of(rb))
        if _namespace_of(rb) != namespace or (ident[1] and ident in seen):
            continue
        seen.add(ident)
        subject = _applies_to(user, groups, rb.get("subjects"), namespace)
        if subject is None:
            continue
        ref = rb.get("roleRef")
        rules, err = role_reference_rules(reader, ref, namespace, registry=registry)
        if err is not None:
            yield "", None, err
            continue
        source = (
            f"RoleBinding {go_quote(ident[1] + '/' + namespace)} of {ref.get('kind')}"
            f" {go_quote(str(ref.get('name')))} to {_describe_subject(subject, namespace)}"
        )
        for rule in rules:
            yield source, rule, None


def authorize(reader: RbacReader, attrs: Attributes) -> Decision:
    """The RBAC authorizer (upstream ``RBACAuthorizer.Authorize``).

    Allowed reason: ``RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to User "u"``
    or ``RBAC: allowed by RoleBinding "b/ns" of Role "r" to Group "g"`` (ServiceAccount
    subjects print as ``ServiceAccount "name/ns"``).  Not allowed: reason ``""``, or
    ``RBAC: <errors>`` when some binding that applies to the user could not be resolved.
    The caller handles ``system:masters`` before calling this.
    """
    errors: list[str] = []
    for source, rule, err in _visit(reader, attrs.user, attrs.namespace):
        if err is not None:
            errors.append(err)
        elif rule is not None and rule_allows(attrs, rule):
            return Decision(True, f"RBAC: allowed by {source}")
    if errors:
        return Decision(False, f"RBAC: {aggregate_message(errors)}")
    return Decision(False, "")


def rules_for(
    reader: RbacReader, user: UserInfo, namespace: str, *, registry: bool = False
) -> tuple[list[PolicyRule], list[str]]:
    """Every rule that applies to ``user`` in ``namespace`` (``""``: only ClusterRoleBinding
    rules) and the resolution errors met on the way (upstream ``RulesFor``: the rules are
    valid even when errors are returned, policy being purely additive).  Used for
    SelfSubjectRulesReview / ``kubectl auth can-i --list`` and the escalation check."""
    rules: list[PolicyRule] = []
    errors: list[str] = []
    for _source, rule, err in _visit(reader, user, namespace, registry=registry):
        if err is not None:
            errors.append(err)
        elif rule is not None:
            rules.append(rule)
    return rules, errors


def rules_review_status(rules: Iterable[PolicyRule], errors: Iterable[str]) -> dict[str, Any]:
    """A SelfSubjectRulesReview ``status`` from :func:`rules_for` output, as upstream's RBAC
    ``RulesFor`` and the review REST build it: rules with resources become
    ``resourceRules``, rules with URLs ``nonResourceRules`` (a rule with both lands in both),
    empty lists are omitted inside a rule, and resolution errors set ``evaluationError``.
    RBAC itself never reports ``incomplete`` (the Node and webhook authorizers do); the
    caller ORs in other authorizers and prepends nothing for ``system:masters`` - their
    rules come from the default ``cluster-admin`` binding."""
    resource_rules: list[dict[str, list[str]]] = []
    non_resource_rules: list[dict[str, list[str]]] = []
    for r in rules:
        if r.resources:
            doc = {"verbs": list(r.verbs)}
            if r.api_groups:
                doc["apiGroups"] = list(r.api_groups)
            doc["resources"] = list(r.resources)
            if r.resource_names:
                doc["resourceNames"] = list(r.resource_names)
            resource_rules.append(doc)
        if r.non_resource_urls:
            non_resource_rules.append({"verbs": list(r.verbs), "nonResourceURLs": list(r.non_resource_urls)})
    errs = list(errors)
    status: dict[str, Any] = {
        "resourceRules": resource_rules,
        "nonResourceRules": non_resource_rules,
        "incomplete": False,
    }
    if errs:
        status["evaluationError"] = aggregate_message(errs)
    return status


# --- StaticRoles: the slice-backed reader ------------------------------------------------


class StaticRoles:
    """A reader over plain lists of Role/ClusterRole/RoleBinding/ClusterRoleBinding dicts,
    like upstream's ``StaticRoles`` test fake.  With ``indexed=True`` (default) bindings are
    indexed by :func:`binding_subject_keys`, exactly like the API server's store index;
    ``indexed=False`` returns every binding (the linear scan upstream does over its
    informer cache), which the benchmark uses as its baseline."""

    def __init__(
        self,
        roles: Iterable[dict[str, Any]] = (),
        cluster_roles: Iterable[dict[str, Any]] = (),
        role_bindings: Iterable[dict[str, Any]] = (),
        cluster_role_bindings: Iterable[dict[str, Any]] = (),
        *,
        indexed: bool = True,
    ) -> None:
        self.indexed = indexed
        self._roles = {(_namespace_of(r), _name_of(r)): r for r in roles}
        self._cluster_roles = {_name_of(r): r for r in cluster_roles}
        self._role_bindings = list(role_bindings)
        self._cluster_role_bindings = list(cluster_role_bindings)
        self._rb_index: dict[tuple[str, str], list[int]] = {}
        self._rb_by_ns: dict[str, list[int]] = {}
        for i, rb in enumerate(self._role_bindings):
            ns = _namespace_of(rb)
            self._rb_by_ns.setdefault(ns, []).append(i)
            for key in binding_subject_keys(rb):
                self._rb_index.setdefault((ns, key), []).append(i)
        self._crb_index: dict[str, list[int]] = {}
        for i, crb in enumerate(self._cluster_role_bindings):
            for key in binding_subject_keys(crb):
                self._crb_index.setdefault(key, []).append(i)

    def get_role(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self._roles.get((namespace, name))

    def get_cluster_role(self, name: str) -> dict[str, Any] | None:
        return self._cluster_roles.get(name)

    def list_cluster_role_bindings_for(self, subject_keys: Iterable[str]) -> list[dict[str, Any]]:
        if not self.indexed:
            return list(self._cluster_role_bindings)
        hits: set[int] = set()
        for key in subject_keys:
            hits.update(self._crb_index.get(key, ()))
        return [self._cluster_role_bindings[i] for i in sorted(hits)]

    def list_role_bindings_for(self, namespace: str, subject_keys: Iterable[str]) -> list[dict[str, Any]]:
        if not self.indexed:
            return [self._role_bindings[i] for i in self._rb_by_ns.get(namespace, ())]
        hits: set[int] = set()
        for key in subject_keys:
            hits.update(self._rb_index.get((namespace, key), ()))
        return [self._role_bindings[i] for i in sorted(hits)]
