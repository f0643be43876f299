"""The Entra token webhook: what AKS ran as guard, a TokenReview in, a user and groups out.

- :mod:`config` how one cluster's tokens are checked (legacy or managed Entra integration).
- :mod:`keys` the tenant's signing keys, fetched over HTTPS from the v1 OIDC metadata's ``jwks_uri``.
- :mod:`verify` token validation in go-oidc's order, with go-oidc's and guard's error texts.
- :mod:`groups` the ``groups`` claim, or Microsoft Graph ``getMemberGroups`` on a group overage.
- :mod:`review` the TokenReview contract (``review_token`` for our clusters, ``review`` for the wire
  objects), the result cache, metrics and one log line per decision.
- :mod:`server` and :mod:`cli` the standalone HTTPS listener for a real kube-apiserver;
  :mod:`explain` each check of one token, printed.
"""
