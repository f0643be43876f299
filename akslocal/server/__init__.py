"""The edge: one ASGI app on one TLS port that routes to every piece, and the `akslocal` command."""
