"""Microsoft Graph and Resource Manager clients over httpx, with az's error mapping.

Graph errors are read as ``error.message`` (as az's Graph client does); ARM errors are
shown as az shows azure-core's ``HttpResponseError``: ``(Code) Message``. A 404 is a
``ResourceNotFoundError`` (exit 3). A 401 makes the client refresh its token once and
retry, so an expired login surfaces as the token service's own answer with az's
re-login hint.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from akslocal.cli.core import errors
from akslocal.cli.core.settings import ARM_RESOURCE, GRAPH_RESOURCE

if TYPE_CHECKING:  # httpx is imported when a request is made, so that -h and local commands stay light
    import httpx

    from akslocal.cli.core.profile import Profile

ARM_API = {
    "resourcegroups": "2024-11-01",
    "managedClusters": "2025-07-01",
    "roleAssignments": "2022-04-01",
}
TERMINAL = {"succeeded", "failed", "canceled", "cancelled"}


def _error_for(status: int, message: str) -> errors.AzLocalError:
    if status == 404:
        return errors.ResourceNotFoundError(message)
    if status == 401:
        return errors.AuthenticationError(message, "Interactive authentication is needed. Please run:\n"
                                                   "azlocal logout\nazlocal login")
    if status == 403:
        return errors.ForbiddenError(message)
    return errors.ServiceError(message)


class _Client:
    resource = ""

    def __init__(self, profile: Profile, account: dict | None = None, token: str | None = None) -> None:
        self.profile = profile
        self.settings = profile.settings
        self.account = account
        self._token = token
        self._fixed_token = token is not None
        self._http_client: httpx.Client | None = None

    @property
    def _http(self) -> httpx.Client:
        if self._http_client is None:
            from akslocal.cli.core.http import new_client

            self._http_client = new_client(self.settings)
        return self._http_client

    def _bearer(self, force: bool = False) -> str:
        if self._token is None or (force and not self._fixed_token):
            self._token = self.profile.token(self.resource, self.account, force_refresh=force)["access_token"]
        return self._token

    def _absolute(self, url: str, prefix: str) -> str:
        """A path under ``prefix``, or a URL (nextLink, operation status) that must stay on akslocal's origin:
        the bearer token is never sent anywhere else."""
        if "://" not in url:
            if not url.startswith("/"):
                raise errors.InvalidArgumentValueError(f"'{url}' is not a resource path.")
            return prefix + url
        if urlsplit(url)[:2] != urlsplit(self.settings.endpoint)[:2]:
            raise errors.ServiceError(f"Refusing to send credentials to {urlsplit(url).netloc}: it is not "
                                      f"{urlsplit(self.settings.endpoint).netloc}.")
        return url

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        import httpx

        from akslocal.cli.core.http import connection_error

        url = self._absolute(url, "")
        for attempt in (0, 1):
            headers = {"Authorization": f"Bearer {self._bearer(force=attempt == 1)}"}
            if "json" in kwargs:
                headers["Content-Type"] = "application/json"
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as error:
                raise connection_error(self.settings, error) from error
            if response.status_code != 401 or attempt == 1 or self._fixed_token:
                return response
        return response

    @staticmethod
    def _body(response: httpx.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return None


class GraphClient(_Client):
    resource = GRAPH_RESOURCE

    def request(self, method: str, path: str, json: Any = None, params: dict | None = None) -> Any:
        kwargs: dict[str, Any] = {"params": params}
        if json is not None:
            kwargs["json"] = json
        response = self._send(method, self._absolute(path, self.settings.graph_url), **kwargs)
        body = self._body(response)
        if response.status_code >= 400:
            message = None
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                message = body["error"].get("message")
            raise _error_for(response.status_code, message or f"{response.status_code} {response.reason_phrase}")
        return body

    def get(self, path: str, params: dict | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None) -> Any:
        return self.request("POST", path, json=json if json is not None else {})

    def patch(self, path: str, json: Any) -> Any:
        return self.request("PATCH", path, json=json)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def list(self, path: str, filter: str | None = None) -> list[dict]:
        params = {"$filter": filter} if filter else None
        page = self.get(path, params)
        items = list(page.get("value", []))
        while page.get("@odata.nextLink"):
            page = self.get(page["@odata.nextLink"])
            items.extend(page.get("value", []))
        return items


class ArmClient(_Client):
    resource = ARM_RESOURCE

    @property
    def subscription(self) -> str:
        account = self.account or self.profile.current()
        return account["id"]

    def url(self, path: str) -> str:
        return self._absolute(path, self.settings.arm_url)

    def request(self, method: str, path: str, api_version: str, json: Any = None,
                params: dict | None = None) -> httpx.Response:
        query = {"api-version": api_version, **(params or {})}
        kwargs: dict[str, Any] = {"params": query}
        if json is not None:
            kwargs["json"] = json
        elif method == "POST":
            kwargs["content"] = b""
        response = self._send(method, self.url(path), **kwargs)
        if response.status_code >= 400:
            raise self.error(response)
        return response

    def error(self, response: httpx.Response) -> errors.AzLocalError:
        body = self._body(response)
        detail = body.get("error") if isinstance(body, dict) else None
        if isinstance(detail, dict) and detail.get("message"):
            code, message = detail.get("code", ""), detail["message"]
            text = f"({code}) {message}\nCode: {code}\nMessage: {message}" if code else message
        else:
            text = f"Operation returned an invalid status '{response.reason_phrase}'"
        return _error_for(response.status_code, text)

    def get(self, path: str, api_version: str) -> Any:
        return self._body(self.request("GET", path, api_version))

    def list(self, path: str, api_version: str) -> list[dict]:
        page = self.get(path, api_version) or {}
        items = list(page.get("value", []))
        while page.get("nextLink"):
            page = self._body(self._send("GET", page["nextLink"])) or {}
            items.extend(page.get("value", []))
        return items

    def long_running(self, method: str, path: str, api_version: str, json: Any = None, no_wait: bool = False,
                     progress: Any = None, result_path: str | None = None) -> Any:
        """Start an ARM long-running operation and, unless ``no_wait``, poll it to its end (ARM-ASYNC)."""
        response = self.request(method, path, api_version, json=json)
        if no_wait:
            return None
        status_url = response.headers.get("Azure-AsyncOperation") or response.headers.get("Location")
        if response.status_code in (201, 202) and status_url:
            self._poll(status_url, response, progress)
        if method == "DELETE" or (method == "POST" and result_path is None):
            return None
        final = self.request("GET", result_path or path, api_version)
        return self._body(final)

    def _poll(self, status_url: str, response: httpx.Response, progress: Any) -> None:
        async_op = "Azure-AsyncOperation" in response.headers
        delay = _retry_after(response)
        while True:
            if progress is not None:
                progress.tick()
            time.sleep(delay)
            poll = self._send("GET", status_url)
            if poll.status_code >= 400:
                raise self.error(poll)
            delay = _retry_after(poll)
            if async_op:
                body = self._body(poll) or {}
                status = str(body.get("status", "")).lower()
                if status in TERMINAL:
                    if status != "succeeded":
                        detail = body.get("error") or {}
                        code = detail.get("code", "OperationFailed")
                        message = detail.get("message", f"The operation ended as {body.get('status')}.")
                        raise errors.ServiceError(f"({code}) {message}\nCode: {code}\nMessage: {message}")
                    return
            elif poll.status_code != 202:
                return


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After", "1")), 0.1), 5.0)
    except ValueError:
        return 1.0
