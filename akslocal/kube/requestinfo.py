"""Request attributes from method + path + query, like upstream ``RequestInfoFactory``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

_METHOD_VERBS = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch",
                 "DELETE": "delete"}


@dataclass(frozen=True)
class RequestInfo:
    is_resource_request: bool
    path: str
    verb: str
    api_prefix: str = ""
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    path_watch: bool = False


def parse_request(method: str, path: str, query: Mapping[str, str]) -> RequestInfo:
    non_resource = RequestInfo(False, path, method.lower())
    parts = [p for p in path.strip("/").split("/")] if path.strip("/") else []
    if len(parts) < 3 or parts[0] not in ("api", "apis"):
        return non_resource
    prefix, rest = parts[0], parts[1:]
    group = ""
    if prefix == "apis":
        if len(rest) < 3:
            return non_resource
        group, rest = rest[0], rest[1:]
    version, rest = rest[0], rest[1:]
    verb = _METHOD_VERBS.get(method.upper(), "")
    path_watch = False
    if rest and rest[0] in ("watch", "proxy"):
        if rest[0] == "watch":
            path_watch = True
        verb, rest = rest[0], rest[1:]
    namespace = ""
    if len(rest) >= 2 and rest[0] == "namespaces":
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in ("status", "finalize"):
            rest = rest[2:]
    resource = rest[0] if rest else ""
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 and verb != "proxy" else ""
    if not name and verb in ("get",) and method.upper() in ("GET", "HEAD"):
        watch = query.get("watch", "")
        verb = "watch" if watch and watch.lower() not in ("false", "0") else "list"
    if not name and verb == "delete":
        verb = "deletecollection"
    if verb in ("list", "watch") and not name:
        fs = query.get("fieldSelector", "")
        for part in fs.split(","):
            for op in ("==", "="):
                key, sep, value = part.partition(op)
                if sep and key.strip() == "metadata.name" and "!" not in key and value and "/" not in value:
                    name = value.strip()
                    break
            if name:
                break
    return RequestInfo(True, path, verb, prefix, group, version, namespace, resource, sub, name, path_watch)
