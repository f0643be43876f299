"""OData ``$filter`` as Graph implements it for directory objects.

``$filter`` (``eq ne gt ge lt le``, ``in``, ``startswith``/``endswith``, ``any`` over
collections such as ``identifierUris`` and ``servicePrincipalNames``, ``and``/``or``/``not``,
parentheses).  A filter compiles to a predicate over the rendered Graph object; anything
else is Graph's 400, never a 500.  The other query options are in :mod:`akslocal.graph.query`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from akslocal.graph.errors import GraphError, bad_request, unsupported_query

MAX_TOP = 999
MAX_FILTER = 4096
Predicate = Callable[[dict], bool]
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)(?![\w-])|(?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F-]{27})"
    r"|(?P<name>[A-Za-z_$@][A-Za-z0-9_.$@]*)|(?P<punct>[(),/:]))"
)
_OPS = {"eq", "ne", "gt", "ge", "lt", "le"}
KNOWN_OPTIONS = {"$filter", "$select", "$top", "$count", "$search", "$orderby", "$skiptoken", "$expand", "$format"}


def invalid_filter(detail: str) -> GraphError:
    return bad_request(f"Invalid filter clause: {detail}")


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _compare(op: str, left: Any, right: Any) -> bool:
    left, right = _lower(left), _lower(right)
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if left is None or right is None or type(left) is not type(right):
        return False
    return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]


class _Parser:
    def __init__(self, text: str, type_name: str, properties: set[str]) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise invalid_filter(f"syntax error at position {pos} in '{text[:200]}'.")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        self.i = 0
        self.type_name = type_name
        self.properties = {p.lower(): p for p in properties}

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1].lower() != value):
            raise invalid_filter(f"expected '{value or 'more input'}' but found '{token[1] if token else 'end'}'.")
        self.i += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "name" and token[1].lower() in words:
            self.i += 1
            return token[1].lower()
        return None

    def parse(self) -> Predicate:
        if not self.tokens:
            raise invalid_filter("the filter is empty.")
        node = self.parse_or()
        if self.peek() is not None:
            raise invalid_filter(f"unexpected '{self.peek()[1]}'.")
        return node

    def parse_or(self) -> Predicate:
        parts = [self.parse_and()]
        while self.keyword("or"):
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda o, ps=tuple(parts): any(p(o) for p in ps))

    def parse_and(self) -> Predicate:
        parts = [self.parse_unary()]
        while self.keyword("and"):
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else (lambda o, ps=tuple(parts): all(p(o) for p in ps))

    def parse_unary(self) -> Predicate:
        if self.keyword("not"):
            inner = self.parse_unary()
            return lambda o: not inner(o)
        token = self.peek()
        if token and token[1] == "(":
            self.take("(")
            node = self.parse_or()
            self.take(")")
            return node
        return self.parse_primary(lambda_var=None)

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value) if "." in value else int(value)
        if kind == "guid":
            return value
        if kind == "name" and value.lower() in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value.lower()]
        raise invalid_filter(f"'{value}' is not a literal.")

    def prop(self) -> str:
        kind, name = self.take()
        if kind != "name":
            raise invalid_filter(f"expected a property name, found '{name}'.")
        path = [name]
        while self.peek() and self.peek()[1] == "/" and self.peek(1) and self.peek(1)[1].lower() != "any":
            self.take("/")
            path.append(self.take()[1])
        canonical = self.properties.get(path[0].lower())
        if canonical is None:
            raise bad_request(f"Could not find a property named '{path[0]}' on type '{self.type_name}'.")
        return "/".join([canonical, *path[1:]])

    def parse_primary(self, lambda_var: str | None) -> Predicate:
        token = self.peek()
        if (
            token
            and token[0] == "name"
            and token[1].lower() in ("startswith", "endswith")
            and self.peek(1) == ("punct", "(")
        ):
            func = self.take()[1].lower()
            self.take("(")
            getter = self.operand(lambda_var)
            self.take(",")
            value = self.literal()
            self.take(")")
            if not isinstance(value, str):
                raise invalid_filter(f"{func} needs a string.")
            value = value.lower()
            if func == "startswith":
                return lambda o: isinstance(getter(o), str) and getter(o).lower().startswith(value)
            return lambda o: isinstance(getter(o), str) and getter(o).lower().endswith(value)
        if token and token[0] == "name" and self.peek(1) == ("punct", "("):
            raise unsupported_query(f"Unsupported Query: the function '{token[1][:40]}' is not supported.")
        if (
            lambda_var is None
            and token
            and token[0] == "name"
            and self.peek(1) == ("punct", "/")
            and self.peek(2)
            and self.peek(2)[1].lower() == "any"
        ):
            return self.parse_any()
        getter = self.operand(lambda_var)
        if self.keyword("in"):
            self.take("(")
            values = [_lower(self.literal())]
            while self.peek() and self.peek()[1] == ",":
                self.take(",")
                values.append(_lower(self.literal()))
            self.take(")")
            return lambda o: _lower(getter(o)) in values
        op_token = self.take()
        op = op_token[1].lower()
        if op not in _OPS:
            if op in ("contains", "has", "any", "all"):
                raise unsupported_query(f"Unsupported Query: the operator '{op_token[1]}' is not supported.")
            raise invalid_filter(f"unknown operator '{op_token[1]}'.")
        value = self.literal()
        return lambda o: _compare(op, getter(o), value)

    def operand(self, lambda_var: str | None) -> Callable[[dict], Any]:
        token = self.peek()
        if lambda_var is not None and token and token[1] == lambda_var:
            self.take()
            inner: list[str] = []
            while self.peek() == ("punct", "/"):
                self.take("/")
                inner.append(self.take()[1])
            if not inner:
                return lambda item: item
            path = inner
        else:
            path = self.prop().split("/")

        def get(obj: dict) -> Any:
            value: Any = obj
            for part in path:
                if not isinstance(value, dict):
                    return None
                value = next((v for k, v in value.items() if k.lower() == part.lower()), None)
            return value

        return get

    def parse_any(self) -> Predicate:
        name = self.prop()
        self.take("/")
        self.take("any")
        self.take("(")
        var_kind, var = self.take()
        if var_kind != "name":
            raise invalid_filter("any() needs a lambda variable, e.g. any(c:c eq 'x').")
        self.take(":")
        inner = self.parse_lambda(var)
        self.take(")")

        def predicate(obj: dict) -> bool:
            items = next((v for k, v in obj.items() if k.lower() == name.lower()), None)
            return isinstance(items, list) and any(inner(item) for item in items)

        return predicate

    def parse_lambda(self, var: str) -> Predicate:
        parts = [self.parse_primary(var)]
        while True:
            word = self.keyword("or", "and")
            if word is None:
                break
            right = self.parse_primary(var)
            left = parts.pop()
            parts.append(
                (lambda o, a=left, b=right: a(o) or b(o))
                if word == "or"
                else (lambda o, a=left, b=right: a(o) and b(o))
            )
        return parts[0]


def compile_filter(text: str, type_name: str, properties: set[str]) -> Predicate:
    if len(text) > MAX_FILTER:
        raise invalid_filter(f"the filter is longer than {MAX_FILTER} characters.")
    try:
        return _Parser(text, type_name, properties).parse()
    except RecursionError:
        raise invalid_filter("the filter is nested too deeply.") from None
