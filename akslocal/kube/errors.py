"""The one error type of the Kubernetes surface: a ``metav1.Status`` failure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class KubeStatus(Exception):
    """A failed request, rendered as ``{"kind":"Status", ...}`` by the routes (one place)."""

    code: int
    reason: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def body(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            doc["details"] = self.details
        return doc


def qualified(resource: str, group: str) -> str:
    """``pods`` for the core group, ``deployments.apps`` otherwise (upstream GroupResource.String)."""
    return f"{resource}.{group}" if group else resource


def _details(resource: str, group: str, name: str) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if name:
        d["name"] = name
    if group:
        d["group"] = group
    d["kind"] = resource
    return d


def not_found(resource: str, group: str, name: str) -> KubeStatus:
    return KubeStatus(
        404, "NotFound", f'{qualified(resource, group)} "{name}" not found', _details(resource, group, name)
    )


def already_exists(resource: str, group: str, name: str) -> KubeStatus:
    return KubeStatus(
        409, "AlreadyExists", f'{qualified(resource, group)} "{name}" already exists', _details(resource, group, name)
    )


def conflict(resource: str, group: str, name: str, why: str) -> KubeStatus:
    return KubeStatus(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified(resource, group)} "{name}": {why}',
        _details(resource, group, name),
    )


def bad_request(message: str) -> KubeStatus:
    return KubeStatus(400, "BadRequest", message)


def invalid(kind: str, group: str, name: str, causes: list[tuple[str, str, str]]) -> KubeStatus:
    """422 Invalid; ``causes`` are (reason, message, field) like upstream field.ErrorList."""
    group_kind = f"{kind}.{group}" if group else kind
    parts = [f"{f}: {m}" if f else m for (_r, m, f) in causes]
    text = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    details: dict[str, Any] = {"name": name, "kind": kind}
    if group:
        details["group"] = group
    details["causes"] = [{"reason": r, "message": m, "field": f} for (r, m, f) in causes]
    return KubeStatus(422, "Invalid", f'{group_kind} "{name}" is invalid: {text}', details)


def forbidden(resource: str, group: str, name: str, message: str) -> KubeStatus:
    if not resource and not group:
        text = f"forbidden: {message}"
    elif name:
        text = f'{qualified(resource, group)} "{name}" is forbidden: {message}'
    else:
        text = f"{qualified(resource, group)} is forbidden: {message}"
    return KubeStatus(403, "Forbidden", text, _details(resource, group, name))


def unauthorized() -> KubeStatus:
    return KubeStatus(401, "Unauthorized", "Unauthorized")


def method_not_allowed() -> KubeStatus:
    return KubeStatus(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def unsupported_media_type(content_type: str) -> KubeStatus:
    return KubeStatus(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: application/json, "
        "application/yaml, application/vnd.kubernetes.protobuf",
    )


def too_large() -> KubeStatus:
    return KubeStatus(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728")
