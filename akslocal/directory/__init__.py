"""The Entra directory: tenants, users, groups, roles, apps, service principals, credentials, grants.

Plain Python domain rules over a store transaction, no HTTP.  Every function takes the
store ``tx`` (and ``now``/``entropy`` where time or randomness matter), returns frozen
dataclasses from :mod:`akslocal.directory.models`, and raises
:class:`akslocal.directory.errors.DirectoryError` with an Entra/Graph-style code that the
HTTP layers (Graph, the token service) render in their own shape.
"""
