"""Request bodies: a size limit, then JSON, YAML or the Kubernetes protobuf envelope."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from akslocal.kube.errors import KubeStatus, bad_request, too_large, unsupported_media_type

# kube-apiserver's default MaxRequestBodyBytes (3 MiB) for object bodies.
MAX_BODY = 3 * 1024 * 1024
PROTOBUF = "application/vnd.kubernetes.protobuf"
PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
    "application/apply-patch+cbor": "unsupported",
}


@dataclass(frozen=True)
class Body:
    content_type: str
    raw: bytes


async def read_body(request: Request) -> Body:
    length = request.headers.get("content-length")
    if length is not None:
        try:
            if int(length) > MAX_BODY:
                raise too_large()
        except ValueError:
            raise bad_request("invalid Content-Length") from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise too_large()
        chunks.append(chunk)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return Body(ctype, b"".join(chunks))


def _no_dup_object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        out[k] = v
    return out


def decode_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_dup_object_pairs)
    except UnicodeDecodeError:
        raise bad_request("json: invalid UTF-8 in request body") from None
    except json.JSONDecodeError as exc:
        raise bad_request(f"json: {exc.msg} at offset {exc.pos}: the request body is not valid JSON") from None
    except RecursionError:
        raise bad_request("json: exceeded max depth") from None


def decode_yaml(raw: bytes) -> Any:
    import yaml

    try:
        text = raw.decode("utf-8")
        # Aliases are refused: a "billion laughs" document must not expand in memory.
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _has_alias(node):
                raise bad_request("yaml: aliases are not allowed in request bodies")
            return loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except KubeStatus:
        raise
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        raise bad_request(f"error decoding YAML: {str(exc).splitlines()[0] if str(exc) else 'invalid'}") from None


def _has_alias(node: Any, depth: int = 0) -> bool:
    import yaml

    if depth > 200:
        raise bad_request("yaml: exceeded max depth")
    seen_ids: set[int] = set()
    stack = [(node, 0)]
    while stack:
        n, d = stack.pop()
        if id(n) in seen_ids:
            return True
        seen_ids.add(id(n))
        if d > 200:
            raise bad_request("yaml: exceeded max depth")
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.append((k, d + 1))
                stack.append((v, d + 1))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((c, d + 1) for c in n.value)
    return False


def decode_object(body: Body) -> Any:
    """An object body (POST/PUT/DELETE options) in JSON, YAML or protobuf."""
    ctype = body.content_type
    if not body.raw.strip():
        return None
    if ctype in ("", "application/json", "*/*"):
        return decode_json(body.raw)
    if ctype in ("application/yaml", "application/x-yaml", "text/yaml"):
        return decode_yaml(body.raw)
    if ctype == PROTOBUF:
        from akslocal.kube.protobuf import decode_envelope

        return decode_envelope(body.raw)
    raise unsupported_media_type(ctype)


def decode_patch(body: Body) -> tuple[str, Any]:
    kind = PATCH_TYPES.get(body.content_type)
    if kind is None or kind == "unsupported":
        raise KubeStatus(415, "UnsupportedMediaType",
                         'the body of the request was in an unknown format - accepted media types include: '
                         'application/json-patch+json, application/merge-patch+json, '
                         'application/apply-patch+yaml, application/strategic-merge-patch+json')
    if kind == "apply":
        return kind, decode_yaml(body.raw)
    return kind, decode_json(body.raw)
