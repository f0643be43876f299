"""The $filter / query-option parser on its own: what compiles, what matches, and Graph's errors."""

from __future__ import annotations

import pytest

from akslocal.graph import odata, query
from akslocal.graph.errors import GraphError

PROPS = {
    "displayName",
    "appId",
    "identifierUris",
    "servicePrincipalNames",
    "accountEnabled",
    "userType",
    "web",
    "appRoles",
}
APP = {
    "displayName": "myaksServer",
    "appId": "0a1b",
    "identifierUris": ["https://myaksServer", "api://x"],
    "servicePrincipalNames": ["0a1b"],
    "accountEnabled": True,
    "userType": None,
    "web": {"homePageUrl": "https://h"},
    "appRoles": [{"value": "Data.Read", "isEnabled": True}],
}


@pytest.mark.parametrize(
    "text, matches",
    [
        ("displayName eq 'myaksServer'", True),
        ("displayName eq 'MYAKSSERVER'", True),  # directory string comparisons ignore case
        ("displayName ne 'myaksServer'", False),
        ("startswith(displayName,'myaks')", True),
        ("startswith(displayName, 'nope')", False),
        ("endswith(displayName,'Server')", True),
        ("identifierUris/any(s:s eq 'https://myaksServer')", True),
        ("identifierUris/any(x:startswith(x,'api://'))", True),
        ("identifierUris/any(s:s eq 'https://other')", False),
        ("servicePrincipalNames/any(c:c eq '0a1b')", True),
        ("appId eq '0a1b' and accountEnabled eq true", True),
        ("appId eq 'zz' or accountEnabled eq true", True),
        ("not (appId eq '0a1b')", False),
        ("(appId eq 'zz' or appId eq '0a1b') and displayName eq 'myaksServer'", True),
        ("userType eq null", True),
        ("appId in ('x', '0A1B')", True),
        ("web/homePageUrl eq 'https://h'", True),
        ("displayName eq 'it''s'", False),
        ("appRoles/any(r:r/value eq 'data.read')", True),
        ("appRoles/any(r:r/value eq 'Data.Write')", False),
    ],
)
def test_filters_match(text, matches) -> None:
    assert odata.compile_filter(text, "microsoft.graph.application", PROPS)(APP) is matches


@pytest.mark.parametrize(
    "text, code, fragment",
    [
        ("displayName eq", "BadRequest", "Invalid filter clause"),
        ("displayName eq 'x", "BadRequest", "Invalid filter clause"),
        ("nosuch eq 'x'", "BadRequest", "Could not find a property named 'nosuch'"),
        ("displayName like 'x'", "BadRequest", "unknown operator"),
        ("contains(displayName,'x')", "Request_UnsupportedQuery", "function 'contains'"),
        ("displayName eq 'x' and", "BadRequest", "Invalid filter clause"),
        ("((((displayName eq 'x'", "BadRequest", "Invalid filter clause"),
        ("displayName eq 'x'; DROP TABLE records", "BadRequest", "Invalid filter clause"),
        ("(" * 5000, "BadRequest", "longer than"),
        ("identifierUris/any(s:s)", "BadRequest", "Invalid filter clause"),
        ("(" * 2000 + "displayName eq 'x'" + ")" * 2000, "BadRequest", "nested too deeply"),
        ("not " * 1000 + "displayName eq 'x'", "BadRequest", "nested too deeply"),
        ("\u202e displayName eq 'x'", "BadRequest", "Invalid filter clause"),
    ],
)
def test_bad_filters_are_graph_errors(text, code, fragment) -> None:
    with pytest.raises(GraphError) as exc:
        odata.compile_filter(text, "microsoft.graph.application", PROPS)
    assert exc.value.status == 400 and exc.value.code == code and fragment in exc.value.message


@pytest.mark.parametrize(
    "params, eventual, fragment",
    [
        ([("$top", "0")], False, "Invalid page size specified: '0'. Must be between 1 and 999 inclusive."),
        ([("$top", "1000000000000")], False, "Must be between 1 and 999"),
        ([("$top", "-1")], False, "Must be between 1 and 999"),
        ([("$top", "ten")], False, "Must be between 1 and 999"),
        ([("$select", "displayName,password")], False, "Property 'password' does not exist as a declared property"),
        ([("$count", "true")], False, "$count is not currently supported."),
        ([("$search", '"displayName:x"')], False, "ConsistencyLevel: eventual"),
        ([("$search", "displayName:x")], True, "Invalid $search"),
        ([("$skiptoken", "!!!")], False, "$skiptoken"),
        ([("$orderby", "appId")], False, "not supported"),
        ([("$expand", "owners")], False, "$expand"),
        ([("$wat", "1")], False, "The query parameter '$wat' is not supported."),
        ([("$top", "1"), ("$top", "2")], False, "more than once"),
    ],
)
def test_bad_query_options(params, eventual, fragment) -> None:
    with pytest.raises(GraphError) as exc:
        query.parse_query(params, type_name="microsoft.graph.application", properties=PROPS, eventual=eventual)
    assert exc.value.status == 400 and fragment in exc.value.message


def test_paging_walks_every_item_once() -> None:
    objects = [{"displayName": f"n{i:02d}"} for i in range(25)]
    seen, skip = [], 0
    while True:
        q = query.parse_query(
            [("$top", "10"), ("$skiptoken", query.encode_skiptoken(skip))],
            type_name="t",
            properties={"displayName"},
            eventual=False,
        )
        page, total, following = query.apply(q, objects)
        seen += page
        assert total == 25
        if following is None:
            break
        skip = following
    assert seen == objects


def test_unknown_plain_parameters_are_ignored() -> None:
    assert query.parse_query([("api-version", "1.6")], type_name="t", properties=set(), eventual=False).filter is None
