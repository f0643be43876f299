"""Prometheus metrics of the webhook, in a registry of its own (``/metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)
REVIEWS = Counter("akslocal_webhook_tokenreviews", "TokenReviews answered, by result and reason",
                  ["result", "reason"], registry=REGISTRY)
LATENCY = Histogram("akslocal_webhook_tokenreview_duration_seconds", "Time to answer one TokenReview",
                    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
                    registry=REGISTRY)
GRAPH_CALLS = Counter("akslocal_webhook_graph_calls", "Calls to Entra and Microsoft Graph for group overage",
                      ["call", "outcome"], registry=REGISTRY)
CACHE_HITS = Counter("akslocal_webhook_cache_hits", "TokenReviews answered from the result cache",
                     registry=REGISTRY)
KEY_FETCHES = Counter("akslocal_webhook_key_fetches", "Fetches of the OIDC metadata and JWKS", ["document"],
                      registry=REGISTRY)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
