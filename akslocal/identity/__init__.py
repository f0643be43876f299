"""The Entra ID token service (STS): what MSAL, azure-identity, az, kubelogin and the webhook talk to.

- :mod:`keys` RS256 signing keys kept in the store, parsed once per process, rotated with overlap.
- :mod:`discovery` OpenID metadata, JWKS, instance discovery and user realm documents.
- :mod:`tokens` pure claim building (v1 and v2 access tokens, id tokens, client_info) and signing.
- :mod:`bearer` ``verify_bearer`` for Graph, ARM and the webhook.
- :mod:`grants` one module per OAuth grant, one shared token endpoint.
- :mod:`pages` server-rendered device sign-in, sign-in and consent pages.
- :mod:`routes` the HTTP surface; it only parses, calls and renders.
"""
