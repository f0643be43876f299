"""az's --set/--add/--remove on objects (the seed's `--set groupMembershipClaims=All`)."""

from __future__ import annotations

import pytest

from akslocal.cli.core.errors import InvalidArgumentValueError
from akslocal.cli.core.generic_update import apply


def app() -> dict:
    return {"displayName": "x", "groupMembershipClaims": None, "web": {"redirectUris": ["https://a"]},
            "tags": [], "api": {"oauth2PermissionScopes": [{"id": "1", "value": "user_impersonation"}]}}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param({"set_": [["groupMembershipClaims=All"]]}, {"groupMembershipClaims": "All"}, id="seed-set"),
        pytest.param({"set_": [["web.redirectUris[0]=https://b"]]}, {"web": {"redirectUris": ["https://b"]}},
                     id="set-index"),
        pytest.param({"set_": [["isFallbackPublicClient=true"]]}, {"isFallbackPublicClient": True}, id="set-json"),
        pytest.param({"set_": [["tags=[\"a\"]"]]}, {"tags": ["a"]}, id="set-json-list"),
        pytest.param({"add": [["web.redirectUris", "https://c"]]},
                     {"web": {"redirectUris": ["https://a", "https://c"]}}, id="add-value"),
        pytest.param({"add": [["tags", "k=v"]]}, {"tags": [{"k": "v"}]}, id="add-object"),
        pytest.param({"remove": [["web.redirectUris", "0"]]}, {"web": {"redirectUris": []}}, id="remove-index"),
        pytest.param({"set_": [["GROUPMEMBERSHIPCLAIMS=SecurityGroup"]]}, {"groupMembershipClaims": "SecurityGroup"},
                     id="case-insensitive-key"),
    ],
)
def test_generic_update(args: dict, expected: dict) -> None:
    result = apply(app(), args.get("set_"), args.get("add"), args.get("remove"))
    for key, value in expected.items():
        assert result[key] == value


def test_force_string_keeps_json_literals() -> None:
    assert apply(app(), [["displayName=true"]], None, None, force_string=True)["displayName"] == "true"


@pytest.mark.parametrize("expression", ["noequals", "web.redirectUris[5]=x", "a..b=1"])
def test_bad_expressions_are_usage_errors(expression: str) -> None:
    with pytest.raises(InvalidArgumentValueError):
        apply(app(), [[expression]], None, None)
