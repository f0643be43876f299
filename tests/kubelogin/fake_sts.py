"""A tiny scripted Entra token service over HTTPS, for the plugin's unit tests.

It speaks just enough of v1 (``api-version=1.0``, string-typed device-code fields) and v2
(OpenID metadata for MSAL, integer fields) to drive every branch of the plugin, and records
each request so tests can assert the wire format the plugin sent.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from akslocal.pki import CertificateAuthority

MESSAGE = "To sign in, use a web browser to open the page {url}/devicelogin and enter the code {code} to authenticate."


def fake_jwt(claims: dict) -> str:
    def b64(doc: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    return f"{b64({'typ': 'JWT', 'alg': 'RS256'})}.{b64(claims)}.c2lnbmF0dXJl"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeSTS:
    ca_path: Path
    server: ThreadingHTTPServer
    requests: list[Request] = field(default_factory=list)
    device_outcome: str = "ok"  # ok | expired_token | authorization_declined | consent
    pending_polls: int = 1
    pending_delay: float = 0.0  # seconds each authorization_pending answer takes
    refresh_ok: bool = True
    expires_in: object = 3600
    message_suffix: str = ""
    broken: bool = False  # answer every POST with an HTML error page
    issued: int = 0
    flows: int = 0
    device_resources: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    def paths(self, suffix: str) -> list[Request]:
        return [r for r in self.requests if r.path.endswith(suffix)]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @classmethod
    def start(cls, directory: Path) -> FakeSTS:
        ca = CertificateAuthority.create("fake sts ca")
        leaf = ca.issue_server(["127.0.0.1", "localhost"])
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "ca.pem").write_text(ca.cert_pem)
        (directory / "leaf.pem").write_text(leaf.cert_pem + leaf.key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(directory / "leaf.pem"))
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        sts = cls(ca_path=directory / "ca.pem", server=httpd)
        httpd.sts = sts  # type: ignore[attr-defined]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return sts

    # --- behaviour -------------------------------------------------------
    def answer(self, req: Request) -> tuple[int, dict]:
        parts = req.path.strip("/").split("/")
        tenant, v2 = parts[0], "v2.0" in parts
        if req.method == "GET" and req.path.endswith("/.well-known/openid-configuration"):
            base = f"{self.url}/{tenant}/oauth2/v2.0"
            return 200, {"authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
                         "device_authorization_endpoint": f"{base}/devicecode",
                         "issuer": f"{self.url}/{tenant}/v2.0"}
        if req.path.endswith("/devicecode"):
            with self.lock:
                self.flows += 1
                code = f"CODE{self.flows}"
            scopes = [s for s in req.form.get("scope", "").split() if s.endswith("/.default")]
            self.device_resources[f"dc-{code}"] = req.form.get("resource") or (
                scopes[0].removesuffix("/.default") if scopes else "")
            message = MESSAGE.format(url=self.url, code=code) + self.message_suffix
            body = {"device_code": f"dc-{code}", "user_code": code, "message": message}
            if v2:
                return 200, {**body, "verification_uri": f"{self.url}/devicelogin", "expires_in": 900, "interval": 0}
            return 200, {**body, "verification_url": f"{self.url}/devicelogin", "expires_in": "900", "interval": "0"}
        if req.path.endswith("/authorize"):
            # The user signs in at once: back to the app's redirect URI with a code (and its state).
            target = f"{req.query['redirect_uri']}?code=authcode-1&state={req.query.get('state', '')}"
            self.device_resources["authcode-1"] = next(
                (s.removesuffix("/.default") for s in req.query.get("scope", "").split() if s.endswith("/.default")),
                "")
            return 302, {"location": target}
        if req.path.endswith("/token"):
            return self.token(req, v2)
        return 404, {"error": "not_found"}

    def token(self, req: Request, v2: bool) -> tuple[int, dict]:
        grant = req.form.get("grant_type", "")
        if grant in ("device_code", "urn:ietf:params:oauth:grant-type:device_code"):
            code = req.form.get("device_code") or req.form.get("code", "")
            polls = sum(1 for r in self.requests if (r.form.get("device_code") or r.form.get("code")) == code)
            if polls <= self.pending_polls:
                time.sleep(self.pending_delay)
                return 400, error("authorization_pending", 70016, "Authorization is pending.")
            if self.device_outcome == "expired_token":
                return 400, error("expired_token", 70019, "Verification code expired.")
            if self.device_outcome == "authorization_declined":
                return 400, error("authorization_declined", 70000, "The user declined.")
            if self.device_outcome == "consent":
                return 400, error("invalid_grant", 65001, "The user or administrator has not consented to use the "
                                  "application with ID 'c' named 'client'.")
        elif grant == "authorization_code":
            if req.form.get("code") != "authcode-1" or not req.form.get("code_verifier"):
                return 400, error("invalid_grant", 70000, "bad code")
            req.form.setdefault("device_code", "authcode-1")  # the resource remembered at /authorize
        elif grant == "refresh_token":
            if not self.refresh_ok:
                return 400, error("invalid_grant", 50173, "The provided grant has expired due to it being revoked.")
        elif grant == "client_credentials":
            if req.form.get("client_secret") != "s3cret":
                return 401, error("invalid_client", 7000215, "Invalid client secret provided.")
        elif grant == "password":
            if req.form.get("password") != "pw":
                return 400, error("invalid_grant", 50126, "Error validating credentials due to invalid username "
                                  "or password.")
        else:
            return 400, error("unsupported_grant_type", 70003, grant)
        with self.lock:
            self.issued += 1
            n = self.issued
        scopes = [s for s in req.form.get("scope", "").split() if s.endswith("/.default")]
        resource = req.form.get("resource") or (scopes[0].removesuffix("/.default") if scopes else "") or \
            self.device_resources.get(req.form.get("device_code") or req.form.get("code", ""), "")
        aud = f"spn:{resource}" if req.query.get("api-version") == "1.0" else resource
        token = fake_jwt({"aud": aud, "n": n, "grant": grant})
        body: dict = {"token_type": "Bearer", "access_token": token, "expires_in": self.expires_in}
        if grant not in ("client_credentials",):
            body["refresh_token"] = f"rt-{n}"
        if not v2:
            body = {k: (str(v) if isinstance(v, int) else v) for k, v in body.items()}
            body["resource"] = resource
        return 200, body


def error(code: str, aadsts: int, text: str) -> dict:
    return {"error": code, "error_description": f"AADSTS{aadsts}: {text}\r\nTrace ID: x\r\nCorrelation ID: y",
            "error_codes": [aadsts]}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _handle(self, method: str) -> None:
        sts: FakeSTS = self.server.sts  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        form = {k: v[0] for k, v in parse_qs(raw).items()}
        req = Request(method, split.path, {k: v[0] for k, v in parse_qs(split.query).items()}, form)
        with sts.lock:
            sts.requests.append(req)
        if sts.broken and method == "POST":
            page = b"<html><body>502 Bad Gateway</body></html>"
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        status, body = sts.answer(req)
        if status == 302:
            self.send_response(302)
            self.send_header("Location", body["location"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")
