"""The TokenReview contract: a bearer token in, ``status`` out (authenticated user, or why not).

``review_token(services, auth, token)`` is what our clusters call in process;
``review(target, token_review)`` answers a whole ``authentication.k8s.io/v1`` or ``v1beta1``
TokenReview object (same apiVersion back, as the API server requires). Beyond guard,
results are cached by token hash until the token's ``exp`` (emulator time): a busy cluster
pays one signature check per token, not one per request, and an expired token never comes
from the cache. Every decision is counted, timed and logged on one structured line.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akslocal.webhook import metrics
from akslocal.webhook.config import WebhookConfig, from_cluster_auth
from akslocal.webhook.errors import ReviewError
from akslocal.webhook.groups import GraphGroups, token_groups
from akslocal.webhook.keys import KeySet, RemoteKeySet, ssl_context
from akslocal.webhook.verify import user_info, verify_token

log = logging.getLogger("akslocal.webhook")
API_VERSIONS = ("authentication.k8s.io/v1", "authentication.k8s.io/v1beta1")
CACHE_SIZE = 50_000
OPERATOR_PROBLEMS = frozenset({"graph_token", "graph_denied", "graph_error", "graph_unreachable", "jwks_unavailable",
                               "internal"})
_CONFIG_REFRESH = 60.0  # seconds before a cluster's server app (identifier URIs) is read again


class SystemClock:
    """Wall time plus an offset (standalone: the emulator's offset from ``<data dir>/clock.json``)."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self._data_dir = data_dir

    def now(self) -> float:
        if self._data_dir is None:
            return time.time()
        from akslocal.clock import read_clock_offset

        return time.time() + read_clock_offset(self._data_dir)


@dataclass
class Decision:
    status: dict[str, Any]
    reason: str
    cached: bool = False
    claims: dict[str, Any] | None = None
    error: ReviewError | None = None


class Authenticator:
    """One cluster's webhook: verification, groups, the result cache."""

    def __init__(self, config: WebhookConfig, keys: KeySet, clock: Any, groups: GraphGroups | None = None) -> None:
        self.config = config
        self.keys = keys
        self.clock = clock
        self.groups = groups or GraphGroups(config, None, clock, on_call=_count_graph)
        self._cache: dict[bytes, tuple[float, dict[str, Any]]] = {}
        self._inflight: dict[bytes, asyncio.Future] = {}

    @classmethod
    def from_config(cls, config: WebhookConfig, clock: Any, **groups_options: Any) -> Authenticator:
        tls = ssl_context(config.ca_bundle)
        keys = RemoteKeySet(config.metadata_url, tls, on_fetch=_count_fetch)
        return cls(config, keys, clock, GraphGroups(config, tls, clock, on_call=_count_graph, **groups_options))

    async def review(self, token: str) -> dict[str, Any]:
        return (await self.decide(token)).status

    async def decide(self, token: str) -> Decision:
        started = time.perf_counter()
        if not isinstance(token, str):
            token = ""
        digest = hashlib.sha256(token.encode("utf-8", "replace")).digest()
        now = self.clock.now()
        hit = self._cache.get(digest)
        if hit is not None:
            if hit[0] >= now:  # go-oidc: expired only when exp is before now
                metrics.CACHE_HITS.inc()
                decision = Decision(hit[1], "ok", cached=True)
                self._finish(decision, started)
                return decision
            del self._cache[digest]
        # Concurrent reviews of one new token (kubectl's parallel discovery requests) share one check.
        loop = asyncio.get_running_loop()
        pending = self._inflight.get(digest)
        if pending is not None and pending.get_loop() is loop:
            shared: Decision | None = await asyncio.shield(pending)
            if shared is not None:  # None: the first review was cancelled; check on our own
                decision = Decision(shared.status, shared.reason, cached=shared.status.get("authenticated") is True,
                                    error=shared.error)
                self._finish(decision, started)
                return decision
        future: asyncio.Future = loop.create_future()
        self._inflight[digest] = future
        try:
            decision = await self._check(digest, token, now)
        except BaseException:
            future.set_result(None)
            raise
        finally:
            if self._inflight.get(digest) is future:
                del self._inflight[digest]
        future.set_result(decision)
        self._finish(decision, started)
        return decision

    async def _check(self, digest: bytes, token: str, now: float) -> Decision:
        try:
            verified = await verify_token(self.config, self.keys, token, now)
            username, oid = user_info(verified.claims)
            listed = token_groups(verified.claims)  # the common case, without a coroutine
            groups = listed if listed is not None else await self.groups.groups_for(verified.claims)
        except ReviewError as err:
            return Decision({"authenticated": False, "error": err.message}, err.reason, error=err)
        except Exception as exc:  # a bug or an unforeseen I/O error: a refusal with a reason, never a 500
            log.exception("tokenreview: unexpected error")
            return Decision({"authenticated": False, "error": f"internal error: {type(exc).__name__}"}, "internal")
        user: dict[str, Any] = {"username": username, "uid": oid or "", "groups": list(groups)}
        if oid:
            user["extra"] = {"oid": [oid]}
        status = {"authenticated": True, "user": user}
        if len(self._cache) >= CACHE_SIZE:
            self._evict(now)
        self._cache[digest] = (verified.expires_at, status)
        return Decision(status, "ok", claims=verified.claims)

    def _evict(self, now: float) -> None:
        for key in [k for k, (exp, _) in self._cache.items() if exp < now]:
            del self._cache[key]
        while len(self._cache) >= CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))

    def _finish(self, decision: Decision, started: float) -> None:
        elapsed = time.perf_counter() - started
        result = "authenticated" if decision.status.get("authenticated") else "refused"
        counter = _REVIEW_COUNTERS.get((result, decision.reason))
        if counter is None:  # labels() costs a lock and a dict build: keep the children
            counter = _REVIEW_COUNTERS.setdefault((result, decision.reason),
                                                  metrics.REVIEWS.labels(result, decision.reason))
        counter.inc()
        metrics.LATENCY.observe(elapsed)
        # Refusals that an operator must fix (secret, consent, Graph or keys unreachable) are warnings, so
        # they show at `akslocal start`'s default log level; every other decision is an INFO line.
        level = logging.WARNING if decision.reason in OPERATOR_PROBLEMS else logging.INFO
        if log.isEnabledFor(level):
            line: dict[str, Any] = {"event": "tokenreview", "result": result, "reason": decision.reason,
                                    "cached": decision.cached, "tenant": self.config.tenant_id,
                                    "mode": self.config.mode, "server_app_id": self.config.server_app_id,
                                    "latency_ms": round(elapsed * 1000, 3)}
            user = decision.status.get("user")
            if user:
                line.update(user=user["username"], groups=len(user["groups"]))
            else:
                line["error"] = decision.status.get("error")
            if decision.error is not None and decision.error.hint:
                line["hint"] = decision.error.hint
            log.log(level, "%s", json.dumps(line, sort_keys=False))


_REVIEW_COUNTERS: dict[tuple[str, str], Any] = {}


def _count_graph(call: str, outcome: str) -> None:
    metrics.GRAPH_CALLS.labels(call, outcome).inc()


def _count_fetch(document: str) -> None:
    metrics.KEY_FETCHES.labels(document).inc()


# In process: one state per Services, authenticators by ClusterAuth, key sets shared per tenant.
class _State:
    def __init__(self) -> None:
        self.authenticators: dict[Any, tuple[float, Authenticator]] = {}
        self.key_sets: dict[str, RemoteKeySet] = {}
        self.tls: dict[str | None, Any] = {}


def _state(services: Any) -> _State:
    state = services.extras.get("webhook")
    if state is None:
        state = services.extras["webhook"] = _State()
    return state


def _identifier_uris(services: Any, app_id: str | None) -> tuple[str, ...]:
    if not app_id:
        return ()
    from akslocal.directory import apps

    with services.store.transaction(write=False) as tx:
        app = apps.find_by_app_id(tx, app_id)
    return tuple(app.identifier_uris) if app is not None else ()


def _directory_groups(services: Any, tenant_id: str):
    def lookup(oid: str) -> list[str]:
        from akslocal.directory import groups

        with services.store.transaction(write=False) as tx:
            return list(groups.transitive_group_ids(tx, tenant_id, oid))

    return lookup


def authenticator_for(services: Any, auth: Any) -> Authenticator:
    """The (cached) authenticator of a cluster's ``ClusterAuth``."""
    state = _state(services)
    mono = time.monotonic()
    entry = state.authenticators.get(auth)
    if entry is not None and mono - entry[0] < _CONFIG_REFRESH:
        return entry[1]
    uris = _identifier_uris(services, auth.server_app_id) if auth.mode == "legacy" else ()
    config = from_cluster_auth(auth, services.settings.public_url, services.settings.ca_path, uris)
    if entry is not None and entry[1].config == config:
        state.authenticators[auth] = (mono, entry[1])
        return entry[1]
    ca = config.ca_bundle
    tls = state.tls.get(ca) or state.tls.setdefault(ca, ssl_context(ca))
    keys = state.key_sets.get(config.metadata_url)
    if keys is None:
        keys = state.key_sets[config.metadata_url] = RemoteKeySet(config.metadata_url, tls, on_fetch=_count_fetch)
    directory = _directory_groups(services, config.tenant_id) if config.directory_groups else None
    groups = GraphGroups(config, tls, services.clock, directory=directory, on_call=_count_graph)
    authenticator = Authenticator(config, keys, services.clock, groups)
    state.authenticators[auth] = (mono, authenticator)
    return authenticator


async def review_token(services: Any, auth: Any, token: str) -> dict[str, Any]:
    """TokenReview ``status`` for ``token`` on a cluster with this ``ClusterAuth`` (the kube contract)."""
    try:
        authenticator = authenticator_for(services, auth)
    except (ValueError, OSError) as exc:  # no Entra integration, or the edge CA is unreadable
        log.warning("tokenreview: cannot check tokens of this cluster: %s", exc)
        return {"authenticated": False, "error": str(exc)}
    return await authenticator.review(token)


class BadTokenReview(ValueError):
    """The request body is not a TokenReview (HTTP 400)."""


def parse_token_review(obj: Any) -> tuple[str, str]:
    """(apiVersion, token) of a TokenReview object."""
    if not isinstance(obj, dict):
        raise BadTokenReview("the body is not a TokenReview object")
    api_version = obj.get("apiVersion")
    if api_version not in API_VERSIONS:
        raise BadTokenReview(f"apiVersion must be one of {', '.join(API_VERSIONS)}, not {str(api_version)[:80]!r}")
    if obj.get("kind") != "TokenReview":
        raise BadTokenReview(f"kind must be TokenReview, not {str(obj.get('kind'))[:80]!r}")
    spec = obj.get("spec")
    token = spec.get("token") if isinstance(spec, dict) else None
    if not isinstance(token, str):
        raise BadTokenReview("spec.token must be a string")
    return api_version, token


def token_review(api_version: str, status: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": "TokenReview", "metadata": {"creationTimestamp": None},
            "spec": {}, "status": status}


_by_config: dict[WebhookConfig, Authenticator] = {}


async def review(target: Any, obj: Any, *, auth: Any = None) -> dict[str, Any]:
    """Answer a TokenReview object with ``target``: an :class:`Authenticator`, a
    :class:`WebhookConfig`, or ``Services`` together with ``auth`` (a ``ClusterAuth``)."""
    api_version, token = parse_token_review(obj)
    if isinstance(target, Authenticator):
        authenticator = target
    elif isinstance(target, WebhookConfig):
        authenticator = _by_config.get(target) or _by_config.setdefault(
            target, Authenticator.from_config(target, SystemClock()))
    else:
        if auth is None:
            raise TypeError("review(services, …) needs auth=ClusterAuth")
        authenticator = authenticator_for(target, auth)
    return token_review(api_version, await authenticator.review(token))
