"""HTTP for azlocal: one httpx client trusting akslocal's CA, and an adapter that lets MSAL use it.

MSAL addresses user-realm discovery to ``https://<hostname>/common/userrealm/...`` with
the authority's port dropped (see real-az-cli-and-msal.md §2); the adapter sends those
requests to the configured endpoint instead, so ``azlocal login -u -p`` needs no :443
listener. httpx is imported here, and this module only when a command talks to the server.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from akslocal.cli.core.errors import ConnectionFailure
from akslocal.cli.core.settings import Settings

USER_AGENT = "azlocal/0.1.0 AZURECLI-compatible"


def new_client(settings: Settings, timeout: float = 60.0) -> httpx.Client:
    if settings.ca_path is not None:
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(settings.ca_path))
    else:
        verify = True
    return httpx.Client(verify=verify, timeout=timeout, headers={"User-Agent": USER_AGENT})


def connection_error(settings: Settings, error: Exception) -> ConnectionFailure:
    if isinstance(error, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(error):
        return ConnectionFailure(
            f"Certificate verification failed for {settings.endpoint}.",
            "Point AKSLOCAL_CA_BUNDLE at akslocal's CA (akslocal ca-path prints it), or set AKSLOCAL_DATA_DIR.")
    return ConnectionFailure(
        f"Cannot reach akslocal at {settings.endpoint}: {error}",
        "Start it with 'akslocal start', or set AKSLOCAL_ENDPOINT to its URL.")


class MsalHttpClient:
    """The ``get``/``post`` surface MSAL expects of an ``http_client``, over httpx."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client = new_client(settings)
        self._origin = urlsplit(settings.endpoint)

    def _route(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.path.startswith("/common/userrealm/") and parts.hostname == self._origin.hostname:
            return urlunsplit((self._origin.scheme, self._origin.netloc, parts.path, parts.query, ""))
        return url

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs.pop("timeout", None)
        kwargs.pop("allow_redirects", None)
        kwargs.pop("verify", None)
        try:
            return self._client.request(method, self._route(url), **kwargs)
        except httpx.HTTPError as error:
            raise connection_error(self._settings, error) from error

    def get(self, url: str, params: Any = None, headers: Any = None, **kwargs: Any) -> httpx.Response:
        return self._send("GET", url, params=params, headers=headers, **kwargs)

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None, **kwargs: Any
             ) -> httpx.Response:
        if isinstance(data, dict | list):
            kwargs["data"] = data
        elif data is not None:
            kwargs["content"] = data
        return self._send("POST", url, params=params, headers=headers, **kwargs)

    def close(self) -> None:
        self._client.close()
