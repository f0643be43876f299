"""Graph's query options over a compiled $filter: $select, $top/$skiptoken paging, $count, $search, $orderby.

``$count`` and ``$search`` need ``ConsistencyLevel: eventual``, as in Graph; anything
unsupported is Graph's 400.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from akslocal.graph.errors import bad_request, unsupported_query
from akslocal.graph.odata import KNOWN_OPTIONS, MAX_TOP, Predicate, compile_filter

DEFAULT_PAGE = 100


@dataclass(frozen=True)
class Query:
    filter: Predicate | None = None
    select: tuple[str, ...] | None = None
    top: int | None = None
    count: bool = False
    search: Predicate | None = None
    orderby: tuple[str, bool] | None = None  # (property, descending)
    skip: int = 0


def _search(text: str, properties: set[str], type_name: str) -> Predicate:
    """``"displayName:foo" AND "mail:bar"``: tokenised prefix match, as Graph's directory search does."""
    clauses = re.findall(r'"([^"]*)"|(\bAND\b|\bOR\b)', text.strip())
    if not clauses or not text.strip().startswith('"'):
        raise bad_request('Invalid $search: use "property:value" clauses in double quotes.', "Request_UnsupportedQuery")
    lowered = {p.lower(): p for p in properties}
    terms: list[tuple[str, str] | str] = []
    for clause, joiner in clauses:
        if joiner:
            terms.append(joiner)
            continue
        if ":" not in clause:
            raise unsupported_query(f"Invalid $search clause '{clause[:100]}': expected \"property:value\".")
        prop, value = clause.split(":", 1)
        if prop.lower() not in lowered:
            raise bad_request(f"Could not find a property named '{prop}' on type '{type_name}'.")
        terms.append((lowered[prop.lower()], value.lower()))

    def matches(obj: dict, term: tuple[str, str]) -> bool:
        value = obj.get(term[0])
        if not isinstance(value, str):
            return False
        words = re.split(r"[\s\-_.@]+", value.lower())
        return value.lower().startswith(term[1]) or any(w.startswith(term[1]) for w in words)

    def predicate(obj: dict) -> bool:
        result: bool | None = None
        joiner = "AND"
        for term in terms:
            if isinstance(term, str):
                joiner = term
                continue
            hit = matches(obj, term)
            result = hit if result is None else (result and hit if joiner == "AND" else result or hit)
        return bool(result)

    return predicate


def decode_skiptoken(token: str) -> int:
    try:
        value = int(base64.urlsafe_b64decode(token.encode() + b"==").decode())
        if value < 0:
            raise ValueError
        return value
    except (ValueError, UnicodeDecodeError):
        raise bad_request("The $skiptoken is not valid.", "Request_BadRequest") from None


def encode_skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def parse_query(
    params: list[tuple[str, str]],
    *,
    type_name: str,
    properties: set[str],
    eventual: bool,
    collection: bool = True,
) -> Query:
    seen: dict[str, str] = {}
    for name, value in params:
        lowered = name.lower()
        if not lowered.startswith("$"):
            continue  # Graph ignores parameters that are not query options
        if lowered not in KNOWN_OPTIONS:
            raise bad_request(f"The query parameter '{name[:60]}' is not supported.")
        if lowered in seen:
            raise bad_request(
                f"Query option '{name}' was specified more than once, but it must be specified at most once."
            )
        seen[lowered] = value
    if not collection:
        allowed = {"$select", "$expand", "$format"}
        extra = sorted(set(seen) - allowed)
        if extra:
            raise bad_request(
                "The following query options are not supported by this request method or cannot be applied to "
                f"the requested resource: {','.join(extra)}"
            )
    if "$expand" in seen:
        raise unsupported_query("$expand is not supported by akslocal.")
    if "$format" in seen and seen["$format"].lower() != "json":
        raise bad_request("Only $format=json is supported.")
    predicate = compile_filter(seen["$filter"], type_name, properties) if seen.get("$filter", "").strip() else None
    select = None
    if "$select" in seen:
        fields = [f.strip() for f in seen["$select"].split(",") if f.strip()]
        lowered = {p.lower(): p for p in properties}
        canonical = []
        for f in fields:
            if f.lower() not in lowered:
                # Graph's directory answers an unknown $select property this way (seen in client test fixtures).
                raise unsupported_query(
                    f"Property '{f[:100]}' does not exist as a declared property or extension property."
                )
            canonical.append(lowered[f.lower()])
        select = tuple(canonical) or None
    top = None
    if "$top" in seen:
        raw = seen["$top"].strip()
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_TOP:
            raise bad_request(
                f"Invalid page size specified: '{raw[:20]}'. Must be between 1 and {MAX_TOP} inclusive.",
                "Request_BadRequest",
            )
        top = int(raw)
    count = False
    if "$count" in seen:
        if seen["$count"].lower() not in ("true", "false"):
            raise bad_request("$count must be true or false.")
        count = seen["$count"].lower() == "true"
        if count and not eventual:
            raise bad_request("$count is not currently supported.", "Request_BadRequest")
    search = None
    if "$search" in seen:
        if not eventual:
            raise bad_request(
                "Request with $search query parameter only works through MSGraph with a special request header: "
                "'ConsistencyLevel: eventual'",
                "Request_UnsupportedQuery",
            )
        search = _search(seen["$search"], properties, type_name)
    orderby = None
    if "$orderby" in seen:
        parts = seen["$orderby"].split()
        lowered = {p.lower(): p for p in properties}
        if (
            not parts
            or len(parts) > 2
            or parts[0].lower() not in ("displayname", "userprincipalname", "createddatetime")
        ):
            raise unsupported_query(f"Sorting by '{seen['$orderby'][:60]}' is not supported.")
        if parts[0].lower() not in lowered or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
            raise unsupported_query(f"Sorting by '{seen['$orderby'][:60]}' is not supported.")
        orderby = (lowered[parts[0].lower()], len(parts) == 2 and parts[1].lower() == "desc")
    skip = decode_skiptoken(seen["$skiptoken"]) if "$skiptoken" in seen else 0
    return Query(predicate, select, top, count, search, orderby, skip)


def apply(query: Query, objects: list[dict]) -> tuple[list[dict], int, int | None]:
    """Filter, search, order and page: (page, total matching, offset of the next page or None)."""
    items = objects
    if query.filter:
        items = [o for o in items if query.filter(o)]
    if query.search:
        items = [o for o in items if query.search(o)]
    if query.orderby:
        prop, desc = query.orderby
        items = sorted(items, key=lambda o: (o.get(prop) is None, str(o.get(prop) or "").lower()), reverse=desc)
    total = len(items)
    size = query.top or DEFAULT_PAGE
    page = items[query.skip : query.skip + size]
    following = query.skip + size if query.skip + size < total else None
    return page, total, following


def project(obj: dict, select: tuple[str, ...] | None, always: tuple[str, ...] = ("@odata.type",)) -> dict:
    if select is None:
        return obj
    return {k: v for k, v in obj.items() if k in select or k in always}
