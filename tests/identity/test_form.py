"""The token endpoint's form parser reads bodies exactly as ``parse_qsl`` would, and refuses repeats."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl

import pytest

from akslocal.identity.routes import MAX_BODY, _BadForm, parse_form


def _reference(text: str):
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=200)
    except ValueError:
        return "refused"
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            return "repeated"
        form[name] = value
    return form


def _ours(body: bytes):
    try:
        return parse_form(body)
    except _BadForm as exc:
        return "repeated" if "repeated" in str(exc) else "refused"


def test_random_bodies_parse_as_parse_qsl_does():
    rng = random.Random(7)
    alphabet = "ab=&%+2 0é;F"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert _ours(text.encode()) == _reference(text), text


def test_known_shapes():
    assert parse_form(b"grant_type=client_credentials&scope=api%3A%2F%2Fx%2F.default&a+b=c+d&flag") == {
        "grant_type": "client_credentials", "scope": "api://x/.default", "a b": "c d", "flag": ""}
    assert parse_form(b"") == {} and parse_form(b"&&") == {}


@pytest.mark.parametrize("body", [None, b"a=" + b"x" * MAX_BODY, b"&".join([b"a=1"] * 201), b"\xff=1"])
def test_too_large_too_many_fields_or_not_utf8_is_refused(body):
    with pytest.raises(_BadForm):
        parse_form(body)
