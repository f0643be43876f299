"""One parsed Graph request: caller, path parameters, query, JSON body, and the open store transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from akslocal.graph import query as odata
from akslocal.graph.authz import Caller
from akslocal.graph.errors import bad_request
from akslocal.graph.render import ODATA_TYPE, properties


@dataclass
class Ctx:
    services: Any
    tx: Any
    caller: Caller
    path: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    body: dict | None
    status: int = 200
    response_headers: dict[str, str] = field(default_factory=dict)

    @property
    def now(self) -> float:
        return self.services.clock.now()

    @property
    def tenant_id(self) -> str:
        return self.caller.tenant_id

    @property
    def base(self) -> str:
        return f"{self.services.settings.public_url}/v1.0"

    @property
    def eventual(self) -> bool:
        return self.headers.get("consistencylevel", "").lower() == "eventual"

    def json(self) -> dict:
        if self.body is None:
            raise bad_request(
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of "
                "valid JSON format."
            )
        return self.body

    def query(self, type_name: str, sample: dict, *, collection: bool = True) -> odata.Query:
        return odata.parse_query(
            self.params,
            type_name=type_name,
            properties=properties(sample),
            eventual=self.eventual,
            collection=collection,
        )

    def entity(
        self, context: str, obj: dict, *, select: tuple[str, ...] | None = None, default: tuple[str, ...] | None = None
    ) -> dict:
        fields = select or default
        body = {k: v for k, v in obj.items() if (fields is None or k in fields) and k != ODATA_TYPE}
        return {"@odata.context": f"{self.base}/$metadata#{context}", **body}

    def collection(
        self,
        context: str,
        objects: list[dict],
        *,
        type_name: str,
        sample: dict,
        default: tuple[str, ...] | None = None,
        keep_type: bool = False,
        query: odata.Query | None = None,
    ) -> dict:
        q = query or self.query(type_name, sample)
        page, total, following = odata.apply(q, objects)
        fields = q.select or default
        value = []
        for obj in page:
            item = {k: v for k, v in obj.items() if fields is None or k in fields or (keep_type and k == ODATA_TYPE)}
            if not keep_type:
                item.pop(ODATA_TYPE, None)
            value.append(item)
        out: dict = {"@odata.context": f"{self.base}/$metadata#{context}"}
        if q.count:
            out["@odata.count"] = total
        if following is not None:
            params = [(k, v) for k, v in self.params if k.lower() != "$skiptoken"]
            params.append(("$skiptoken", odata.encode_skiptoken(following)))
            out["@odata.nextLink"] = (
                f"{self.services.settings.public_url}{self.path}?{urlencode(params, safe='$(),:/')}"
            )
        out["value"] = value
        return out


Handler = Callable[..., Any]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    handler: Handler
    write: bool


def route(method: str, template: str, handler: Handler) -> Route:
    """``users/{id}/memberOf`` -> a case-insensitive regex with named groups."""
    regex = re.escape(template)
    regex = re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/()']+)", regex)
    return Route(method, re.compile(f"^{regex}$", re.IGNORECASE), handler, method != "GET")
