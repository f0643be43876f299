"""The v2 protocol through MSAL: scope ``<server id>/.default``, against any authority.

MSAL is imported only here, and only when a request must be sent (a cached token never
loads it).  For hosts other than Microsoft's, instance discovery is turned off (it would call
login.microsoftonline.com) and so is MSAL's user-realm lookup for ROPC (it would go to port
443 of the host whatever the authority's port).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from akslocal.kubelogin import errors
from akslocal.kubelogin.cache import Token, lifetime
from akslocal.kubelogin.options import TokenOptions


class ModernClient:
    def __init__(self, opts: TokenOptions, verify: str | bool, now) -> None:
        import msal
        import requests

        self.opts = opts
        self.now = now
        self.verify = verify
        self.msal = msal
        self.network_errors: tuple[type[BaseException], ...] = (requests.exceptions.RequestException,)
        self.authority_url = f"{opts.authority}/{opts.tenant}"
        if not opts.instance_discovery:
            host = urlsplit(opts.authority).hostname or ""
            msal.authority.Authority._domains_without_user_realm_discovery.add(host)

    def close(self) -> None:
        pass

    def _session(self):
        """requests' session for MSAL.  With a CA bundle, the environment must not override it: requests
        lets ``CURL_CA_BUNDLE``/``REQUESTS_CA_BUNDLE`` win over a session's ``verify``."""
        import functools
        import urllib.request

        import requests

        session = requests.Session()
        session.verify = self.verify
        if isinstance(self.verify, str):
            session.trust_env = False
            session.proxies = urllib.request.getproxies()
        session.request = functools.partial(session.request, timeout=self.opts.timeout)  # type: ignore[method-assign]
        return session

    def _kwargs(self) -> dict[str, Any]:
        return {"authority": self.authority_url, "http_client": self._session(),
                "instance_discovery": self.opts.instance_discovery}

    def _call(self, make, action):
        """Build the MSAL app and run one acquisition, turning transport and authority failures into advice."""
        try:
            return action(make())
        except self.network_errors as err:
            raise errors.unreachable(self.authority_url, err) from err
        except ValueError as err:  # MSAL: authority / discovery document problems
            raise errors.KubeloginError(f"the authority {self.authority_url} is not usable: {err}") from err

    def _public(self):
        return self.msal.PublicClientApplication(self.opts.client_id, **self._kwargs())

    def _confidential(self, credential):
        return self.msal.ConfidentialClientApplication(self.opts.client_id, client_credential=credential,
                                                       **self._kwargs())

    def _token(self, result: Any, fallback_refresh: str = "") -> Token:
        if not isinstance(result, dict) or "access_token" not in result:
            raise self._fail(result)
        expires_in = lifetime(result.get("expires_in", 3600))
        return Token(access_token=str(result["access_token"]), expires_on=self.now() + expires_in,
                     resource=self.opts.resource,
                     refresh_token=str(result.get("refresh_token") or fallback_refresh),
                     token_type=str(result.get("token_type") or "Bearer"))

    def _fail(self, result: Any) -> errors.KubeloginError:
        o = self.opts
        body = result if isinstance(result, dict) else {"error": "no_response"}
        return errors.from_oauth(body, client_id=o.client_id, server_id=o.resource, tenant_id=o.tenant_id)

    def refresh(self, refresh_token: str) -> Token:
        result = self._call(self._public, lambda app: app.acquire_token_by_refresh_token(refresh_token,
                                                                                         [self.opts.scope]))
        if not isinstance(result, dict) or "access_token" not in result:
            raise errors.RefreshFailed(self._fail(result).message)
        return self._token(result, fallback_refresh=refresh_token)

    def device_code(self, stderr=sys.stderr) -> Token:
        def run(app):
            flow = app.initiate_device_flow(scopes=[self.opts.scope])
            if "user_code" not in flow:
                raise self._fail(flow)
            print(errors.printable(str(flow["message"])), file=stderr, flush=True)
            return app.acquire_token_by_device_flow(flow)

        return self._token(self._call(self._public, run))

    def password(self) -> Token:
        o = self.opts
        return self._token(self._call(self._public, lambda app: app.acquire_token_by_username_password(
            o.username, o.password, scopes=[o.scope])))

    def interactive(self) -> Token:
        o = self.opts
        port = None
        if o.redirect_url:
            parts = urlsplit(o.redirect_url)
            if parts.scheme != "http" or parts.hostname not in ("localhost", "127.0.0.1") or not parts.port:
                raise errors.KubeloginError(f"--redirect-url {o.redirect_url!r} must be http://localhost:<port>")
            port = parts.port
        return self._token(self._call(self._public, lambda app: app.acquire_token_interactive(
            [o.scope], prompt=None if o.login_hint else "select_account", login_hint=o.login_hint or None,
            port=port, timeout=int(max(o.timeout, 60)))))

    def client_secret(self) -> Token:
        return self._token(self._call(lambda: self._confidential(self.opts.client_secret),
                                      lambda app: app.acquire_token_for_client([self.opts.scope])))

    def workload_identity(self) -> Token:
        path = Path(self.opts.federated_token_file).expanduser()
        try:
            assertion = path.read_text(encoding="utf-8").strip()
        except OSError as err:
            raise errors.KubeloginError(f"cannot read the federated token file {path}: {err}") from err
        return self._token(self._call(lambda: self._confidential({"client_assertion": assertion}),
                                      lambda app: app.acquire_token_for_client([self.opts.scope])))
