"""Microsoft Graph v1.0 over the directory: the subset the az CLI, the webhook and scripts call.

``routes.py`` parses a request once (:mod:`request`), checks the caller's permissions
(:mod:`authz`), calls the directory, and renders Graph's shapes (:mod:`render`); every error
becomes Graph's envelope in one place (:mod:`errors`).
"""
