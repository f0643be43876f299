"""A user's groups: the token's ``groups`` claim, or Graph when Entra left them out (overage).

Over 200 groups Entra drops ``groups`` and points ``_claim_names``/``_claim_sources`` at the
directory instead. Guard (with ``--azure.graph-call-on-overage-claim``) then asks Microsoft
Graph ``POST /v1.0/users/{oid}/getMemberGroups {"securityEnabledOnly": false}`` with a token
of the server application itself (client credentials with its secret). Two consequences the
seed lists as troubleshooting items:

- a server secret that no longer matches → no Graph token → not authenticated;
- no admin consent for Graph ``Directory.Read.All`` (application) → Graph 403 → not authenticated.

Like guard, the app token is asked for on every review that needs Graph (a reset secret is
noticed at once); the reviews themselves are cached by token, and the member groups per user
for a short time after the app's credentials were confirmed.
"""

from __future__ import annotations

import json
import re
import ssl
from collections.abc import Callable
from typing import Any

from akslocal.webhook.config import WebhookConfig
from akslocal.webhook.errors import ReviewError

GROUPS_TTL = 30.0  # seconds (emulator time) a user's member groups are reused
GRAPH_TIMEOUT = 10.0
DIRECTORY_READ_ALL_ROLE = "7ab1d382-f21e-4acd-a863-ba3e13f7da61"
_MAX_BODY = 400
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SPN_OVERAGE = ("service principal with group membership exceeding 200 is not supported. See "
               "https://learn.microsoft.com/en-us/azure/aks/kubelogin-authentication"
               "#kubelogin-authentication-in-aks-limitations")


def overage_source(claims: dict[str, Any]) -> str | None:
    """The claim source of ``groups`` when the token has an overage indicator, else None."""
    names = claims.get("_claim_names")
    if not isinstance(names, dict) or "groups" not in names:
        return None
    source = names["groups"]
    sources = claims.get("_claim_sources")
    entry = sources.get(source) if isinstance(sources, dict) and isinstance(source, str) else None
    if not isinstance(entry, dict):
        raise ReviewError("groups", f"{source} is missing in _claim_sources")
    if not entry.get("endpoint"):
        return None
    return source


def token_groups(claims: dict[str, Any]) -> list[str] | None:
    """The ``groups`` claim (object ids), None when absent; a malformed claim is an error."""
    groups = claims.get("groups")
    if groups is None:
        return None
    if type(groups) is not list or not set(map(type, groups)) <= {str}:  # C loops: 200 ids cost ~1 µs
        raise ReviewError("groups", "claim groups is not a list of strings")
    return groups


def _short(text: str) -> str:
    return text if len(text) <= _MAX_BODY else text[:_MAX_BODY] + "…"


class GraphGroups:
    """Member groups of users of one cluster, from Graph (or, for our managed clusters, the directory)."""

    def __init__(self, config: WebhookConfig, tls: ssl.SSLContext | None, clock: Any, *,
                 directory: Callable[[str], list[str]] | None = None, transport: Any = None,
                 on_call: Callable[[str, str], None] | None = None) -> None:
        self.config = config
        self._tls = tls
        self._clock = clock
        self._directory = directory
        self._transport = transport
        self._on_call = on_call or (lambda call, outcome: None)
        self._cache: dict[str, tuple[float, list[str]]] = {}

    async def groups_for(self, claims: dict[str, Any]) -> list[str]:
        listed = token_groups(claims)
        if listed is not None:
            return listed
        if overage_source(claims) is None:
            return []
        if claims.get("idtyp") == "app":
            raise ReviewError("spn_overage", SPN_OVERAGE, http_status=200)
        oid = claims.get("oid")
        if not isinstance(oid, str) or not _GUID.fullmatch(oid):
            raise ReviewError("groups", "failed to get groups: the token has a group overage but no object id (oid)")
        if self._directory is not None:
            return self._directory(oid)
        return await self._from_graph(oid)

    def _client(self) -> Any:
        import httpx

        kwargs: dict[str, Any] = {"timeout": GRAPH_TIMEOUT}
        if self._transport is not None:
            kwargs["transport"] = self._transport
        else:
            if self._tls is None:  # built on first use: loading a CA bundle takes tens of milliseconds
                from akslocal.webhook.keys import ssl_context

                self._tls = ssl_context(self.config.ca_bundle)
            kwargs["verify"] = self._tls
        return httpx.AsyncClient(**kwargs)

    async def _from_graph(self, oid: str) -> list[str]:
        import httpx

        try:
            async with self._client() as client:
                bearer = await self._app_token(client)
                now = self._clock.now()
                cached = self._cache.get(oid)
                if cached is not None and cached[0] > now:
                    self._on_call("getMemberGroups", "cached")
                    return cached[1]
                groups = await self._member_groups(client, bearer, oid)
        except httpx.HTTPError as exc:
            self._on_call("graph", "unreachable")
            raise ReviewError("graph_unreachable", f"failed to get groups: {type(exc).__name__}: {exc}") from None
        self._cache[oid] = (now + GROUPS_TTL, groups)
        if len(self._cache) > 10_000:
            self._cache.pop(next(iter(self._cache)))
        return groups

    async def _app_token(self, client: Any) -> str:
        """Client credentials for Graph with the server app's secret (guard's ``client-credential`` mode)."""
        config = self.config
        if not config.server_app_secret:
            raise ReviewError("graph_token", "failed to get groups: the token has a group overage and no server "
                                             "application secret is configured to ask Graph",
                              hint="give the webhook the server application's secret (--client-secret)")
        response = await client.post(config.token_url, data={
            "grant_type": "client_credentials",
            "client_id": config.server_app_id,
            "client_secret": config.server_app_secret,
            "scope": "https://graph.microsoft.com/.default",
        })
        if response.status_code != 200:
            self._on_call("token", f"http_{response.status_code}")
            raise ReviewError(
                "graph_token",
                f"failed to get groups: ClientCredentialTokenProvider: failed to get token: request failed with "
                f"status code: {response.status_code} and response: {_short(response.text)}",
                hint=f"the server application {config.server_app_id}'s secret does not match the one the cluster "
                     "was created with (--aad-server-app-secret): reset the cluster's AAD profile with the new "
                     "secret")
        self._on_call("token", "ok")
        try:
            token = response.json()["access_token"]
        except (ValueError, KeyError, TypeError, RecursionError):
            raise ReviewError("graph_token", "failed to get groups: the token response has no access_token") from None
        if not isinstance(token, str):
            raise ReviewError("graph_token", "failed to get groups: the token response has no access_token")
        return token

    async def _member_groups(self, client: Any, bearer: str, oid: str) -> list[str]:
        path = f"/users/{oid}/getMemberGroups"
        response = await client.post(f"{self.config.graph_url}/v1.0{path}", json={"securityEnabledOnly": False},
                                     headers={"Authorization": f"Bearer {bearer}"})
        if response.status_code != 200:
            self._on_call("getMemberGroups", f"http_{response.status_code}")
            hint = ""
            if response.status_code == 403:
                hint = (f"Graph refused the server application {self.config.server_app_id}: it needs the "
                        "Microsoft Graph application permission Directory.Read.All with admin consent "
                        f"(az ad app permission admin-consent --id {self.config.server_app_id})")
            raise ReviewError("graph_denied" if response.status_code == 403 else "graph_error",
                              f"failed to get groups: request {path} failed with status code: "
                              f"{response.status_code} and response: {_short(response.text)}", hint=hint)
        self._on_call("getMemberGroups", "ok")
        try:
            value = response.json()["value"]
        except (ValueError, KeyError, TypeError, RecursionError):
            value = None
        if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
            raise ReviewError("graph_error", f"failed to get groups: request {path} returned no value list: "
                                             f"{_short(json.dumps(value) if value is not None else response.text)}")
        return value
