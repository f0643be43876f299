"""The v1 (ADAL) protocol, spoken with httpx, as kubelogin ``--legacy`` and client-go's azure provider do.

Every URL carries ``?api-version=1.0`` and every request ``resource=<server id>``, so Entra
issues a v1 token with ``aud`` ``spn:<server id>``.  The device-code answer has
``verification_url`` and string-typed ``expires_in``/``interval``; polls send
``grant_type=device_code`` and ``code`` (go-autorest, ADAL).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from akslocal.kubelogin import errors
from akslocal.kubelogin.cache import Token, lifetime
from akslocal.kubelogin.options import TokenOptions

API_VERSION = {"api-version": "1.0"}
MAX_INTERVAL = 60.0  # a hostile or broken service must not make us sleep for hours
MAX_CODE_LIFETIME = 3600.0


class LegacyClient:
    def __init__(self, opts: TokenOptions, verify: str | bool, now) -> None:
        import httpx

        self.opts = opts
        self.now = now
        self.base = f"{opts.authority}/{opts.tenant}/oauth2"
        self.http = httpx.Client(verify=verify, timeout=opts.timeout, headers={"Accept": "application/json"})
        self._httpx = httpx

    def close(self) -> None:
        self.http.close()

    def _post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        url = f"{self.base}/{path}"
        try:
            response = self.http.post(url, params=API_VERSION, data=form)
        except self._httpx.HTTPError as err:
            raise errors.unreachable(url, err) from err
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise errors.KubeloginError(f"the token service at {url} answered HTTP {response.status_code} "
                                        "without a JSON body")
        return response.status_code, body

    def _token(self, body: dict[str, Any], fallback_refresh: str = "") -> Token:
        expires_in = lifetime(body.get("expires_in", 3600))
        if not body.get("access_token"):
            raise errors.KubeloginError("the token service answered without an access_token")
        return Token(access_token=str(body["access_token"]), expires_on=self.now() + expires_in,
                     resource=self.opts.resource, refresh_token=str(body.get("refresh_token") or fallback_refresh),
                     token_type=str(body.get("token_type") or "Bearer"))

    def _fail(self, body: dict[str, Any]) -> errors.KubeloginError:
        o = self.opts
        return errors.from_oauth(body, client_id=o.client_id, server_id=o.resource, tenant_id=o.tenant_id)

    def _grant(self, form: dict[str, str]) -> Token:
        status, body = self._post("token", {**form, "resource": self.opts.resource})
        if status != 200 or "error" in body:
            raise self._fail(body)
        return self._token(body)

    def refresh(self, refresh_token: str) -> Token:
        status, body = self._post("token", {"grant_type": "refresh_token", "client_id": self.opts.client_id,
                                            "refresh_token": refresh_token, "resource": self.opts.resource})
        if status != 200 or "error" in body:
            raise errors.RefreshFailed(self._fail(body).message)
        return self._token(body, fallback_refresh=refresh_token)

    def client_secret(self) -> Token:
        return self._grant({"grant_type": "client_credentials", "client_id": self.opts.client_id,
                            "client_secret": self.opts.client_secret})

    def password(self) -> Token:
        return self._grant({"grant_type": "password", "client_id": self.opts.client_id,
                            "username": self.opts.username, "password": self.opts.password})

    def device_code(self, sleep=time.sleep, stderr=sys.stderr) -> Token:
        o = self.opts
        status, flow = self._post("devicecode", {"client_id": o.client_id, "resource": o.resource})
        if status != 200 or "error" in flow or "device_code" not in flow:
            raise self._fail(flow)
        print(errors.printable(str(flow.get("message") or f"To sign in, open {flow.get('verification_url')} and "
                                   f"enter the code {flow.get('user_code')}.")), file=stderr, flush=True)
        interval = min(_seconds(flow.get("interval"), 5.0), MAX_INTERVAL)
        deadline = time.monotonic() + min(_seconds(flow.get("expires_in"), 900.0), MAX_CODE_LIFETIME)
        while True:
            sleep(interval)
            status, body = self._post("token", {"grant_type": "device_code", "client_id": o.client_id,
                                                "code": str(flow["device_code"]), "resource": o.resource})
            error = body.get("error")
            if status == 200 and not error:
                return self._token(body)
            if error == "authorization_pending":
                if time.monotonic() > deadline:
                    raise errors.from_oauth({"error": "expired_token"}, client_id=o.client_id,
                                            server_id=o.resource, tenant_id=o.tenant_id)
                continue
            if error == "slow_down":
                interval = min(interval + max(interval / 2, 1.0), MAX_INTERVAL)  # go-autorest adds half
                continue
            raise self._fail(body)


def _seconds(value: Any, default: float) -> float:
    # v1 sends these as strings ("900", "5"); accept numbers too.
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if seconds == seconds and seconds >= 0 else default
