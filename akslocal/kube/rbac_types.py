"""Value types of the RBAC decision code: users, request attributes, policy rules, decisions.

These mirror the upstream Go types the authorizer works on (``user.Info``,
``authorizer.Attributes``, ``rbacv1.PolicyRule``) as frozen dataclasses, plus the parsing
from and to the Kubernetes JSON shape (``rule_from_dict`` / ``rule_to_dict``) and the Go
``%q`` formatting that upstream error messages and reasons use.

Parsing is deliberately forgiving: a stored role is hostile input too, so a field that is
not a list of strings is read as "no values" rather than raising.  Such a rule can only
grant less, never more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_API_VERSION = f"{RBAC_GROUP}/v1"

#: Wildcard accepted in verbs, apiGroups, resources and nonResourceURLs.
ALL = "*"

SERVICE_ACCOUNT_USERNAME_PREFIX = "system:serviceaccount:"
ALL_SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts"
SERVICE_ACCOUNT_GROUP_PREFIX = "system:serviceaccounts:"
MASTERS_GROUP = "system:masters"
AUTHENTICATED_GROUP = "system:authenticated"
UNAUTHENTICATED_GROUP = "system:unauthenticated"
ANONYMOUS_USER = "system:anonymous"


@dataclass(frozen=True)
class UserInfo:
    """An authenticated user, like upstream ``user.Info``.

    ``groups`` is taken as is: the authenticator (client cert O=, webhook, service-account
    token, impersonation) is responsible for it, including ``system:authenticated`` and the
    service-account groups (see :func:`service_account_user`).
    """

    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Attributes:
    """What a request asks for, like upstream ``authorizer.AttributesRecord``.

    For a resource request ``verb`` is one of the API verbs (get, list, watch, create,
    update, patch, delete, deletecollection, or a special verb like impersonate/bind/
    escalate), ``namespace`` is ``""`` for cluster-scoped and all-namespaces requests, and
    ``name`` is ``""`` for collections (a ``metadata.name`` field selector supplies it).
    For a non-resource request set ``is_resource_request=False``, ``path`` and the
    lowercased HTTP method as ``verb``.
    """

    user: UserInfo
    verb: str
    namespace: str = ""
    api_group: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    path: str = ""
    is_resource_request: bool = True


@dataclass(frozen=True)
class PolicyRule:
    """One ``rbacv1.PolicyRule``: a cross product of verbs x groups x resources (x names), or
    verbs x nonResourceURLs.  All comparisons are exact and case-sensitive; ``"*"`` is the
    only wildcard (plus the ``*/sub`` resource form and a trailing ``*`` on URLs)."""

    verbs: tuple[str, ...]
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The RBAC authorizer's answer.

    ``allowed=False`` is upstream's *NoOpinion* (RBAC never denies outright); ``reason`` is
    ``RBAC: allowed by ...`` on allow, and ``""`` or ``RBAC: <resolution errors>`` otherwise.
    The 403 message appends ``: <reason>`` when the reason is not empty.
    """

    allowed: bool
    reason: str


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def rule_from_dict(doc: Any) -> PolicyRule:
    """Parse a Kubernetes JSON ``PolicyRule`` (``verbs``, ``apiGroups``, ``resources``,
    ``resourceNames``, ``nonResourceURLs``).  Wrongly typed fields read as empty."""
    if not isinstance(doc, Mapping):
        return PolicyRule(verbs=())
    return PolicyRule(
        verbs=_strings(doc.get("verbs")),
        api_groups=_strings(doc.get("apiGroups")),
        resources=_strings(doc.get("resources")),
        resource_names=_strings(doc.get("resourceNames")),
        non_resource_urls=_strings(doc.get("nonResourceURLs")),
    )


def rule_to_dict(rule: PolicyRule) -> dict[str, list[str]]:
    """Render a rule in the Kubernetes JSON shape, omitting empty optional lists like the
    API server does (``verbs`` is always present)."""
    doc: dict[str, list[str]] = {}
    if rule.api_groups:
        doc["apiGroups"] = list(rule.api_groups)
    if rule.resources:
        doc["resources"] = list(rule.resources)
    if rule.resource_names:
        doc["resourceNames"] = list(rule.resource_names)
    if rule.non_resource_urls:
        doc["nonResourceURLs"] = list(rule.non_resource_urls)
    doc["verbs"] = list(rule.verbs)
    return doc


def rules_of(obj: Any) -> list[PolicyRule]:
    """The parsed ``rules`` of a Role or ClusterRole JSON object (``[]`` when absent)."""
    if not isinstance(obj, Mapping):
        return []
    raw = obj.get("rules")
    if not isinstance(raw, list):
        return []
    return [rule_from_dict(r) for r in raw]


def service_account_username(namespace: str, name: str) -> str:
    """``system:serviceaccount:<ns>:<name>`` (singular prefix, as upstream)."""
    return f"{SERVICE_ACCOUNT_USERNAME_PREFIX}{namespace}:{name}"


def service_account_groups(namespace: str) -> tuple[str, str]:
    """The groups a service-account token carries (upstream ``MakeGroupNames``)."""
    return (ALL_SERVICE_ACCOUNTS_GROUP, SERVICE_ACCOUNT_GROUP_PREFIX + namespace)


def service_account_user(namespace: str, name: str, uid: str = "") -> UserInfo:
    """The user a service-account token authenticates as, including ``system:authenticated``."""
    groups = (*service_account_groups(namespace), AUTHENTICATED_GROUP)
    return UserInfo(name=service_account_username(namespace, name), uid=uid, groups=groups)


def go_quote(text: str) -> str:
    """Go's ``%q`` for a string (``strconv.Quote``): double quotes, backslash escapes for
    quotes, backslashes and non-printable characters; printable Unicode is kept."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in _GO_SHORT_ESCAPES:
            out.append(_GO_SHORT_ESCAPES[ch])
        elif ch.isprintable() and ch != "\x7f":
            out.append(ch)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_GO_SHORT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote_list(items: Iterable[str]) -> str:
    """Go's ``%q`` for a ``[]string``: ``["a" "b"]``, ``[]`` when empty."""
    return "[" + " ".join(go_quote(i) for i in items) + "]"


def aggregate_message(errors: Iterable[str]) -> str:
    """The text of upstream ``utilerrors.NewAggregate(errs).Error()``: one distinct message
    prints alone, several print as ``[e1, e2]`` with duplicates removed."""
    seen: list[str] = []
    for e in errors:
        if e not in seen:
            seen.append(e)
    if not seen:
        return ""
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


def forbidden_message(resource: str, name: str, err: str, group: str = RBAC_GROUP) -> str:
    """The message of upstream ``apierrors.NewForbidden(GroupResource{group, resource}, name, err)``."""
    qualified = f"{resource}.{group}" if group else resource
    if not resource and not group:
        return f"forbidden: {err}"
    if not name:
        return f"{qualified} is forbidden: {err}"
    return f"{qualified} {go_quote(name)} is forbidden: {err}"
