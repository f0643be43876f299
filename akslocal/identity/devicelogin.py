"""``akslocal devicelogin``: complete a device code by driving the sign-in pages over HTTP.

No back door: it does what a browser does (GET /devicelogin, post the code, post the
user name and password, accept the consent page if one is shown), so scripts and CI can
sign in without a browser.  Exit status 0 when the page says the device is signed in.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from pathlib import Path

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_TEXT = re.compile(r'id="(?:error|message|detail)"[^>]*>(.*?)</p>', re.S)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("devicelogin", help="Complete a device-code sign-in through the sign-in pages.")
    p.add_argument("--code", required=True, help="the user code shown by the client (e.g. BYMK7UXVD)")
    p.add_argument("--username", "-u", required=True, help="user principal name")
    p.add_argument("--password", "-p", default=None, help="password (default: $AKSLOCAL_PASSWORD, else prompt)")
    p.add_argument("--endpoint", default=None, help="akslocal URL (default $AKSLOCAL_ENDPOINT or https://127.0.0.1:8443)")
    p.add_argument("--ca-bundle", default=None, help="CA file (default $AKSLOCAL_CA_BUNDLE or <data dir>/tls/ca.pem)")
    p.add_argument("--no-consent", action="store_true", help="decline instead of accepting a consent prompt")
    p.set_defaults(func=run)


def _ca_bundle(given: str | None) -> str | bool:
    if given:
        return given
    if os.environ.get("AKSLOCAL_CA_BUNDLE"):
        return os.environ["AKSLOCAL_CA_BUNDLE"]
    data = Path(os.environ.get("AKSLOCAL_DATA_DIR", "~/.akslocal")).expanduser()
    path = data / "tls" / "ca.pem"
    return str(path) if path.exists() else True


def _csrf(page: str) -> str:
    match = _CSRF.search(page)
    if not match:
        raise RuntimeError(_page_text(page) or "unexpected page (no form)")
    return html.unescape(match.group(1))


def _page_text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in _TEXT.findall(page))


def complete(endpoint: str, code: str, username: str, password: str, *, verify, accept_consent: bool = True,
             cancel: bool = False) -> str:
    """Drive the pages; returns the final page's message, raises RuntimeError with the page's error."""
    import ssl

    import httpx

    if isinstance(verify, str | Path):
        verify = ssl.create_default_context(cafile=str(verify))
    with httpx.Client(base_url=endpoint.rstrip("/"), verify=verify, follow_redirects=False, timeout=30) as client:
        page = client.get("/devicelogin")
        page.raise_for_status()
        page = client.post("/devicelogin", data={"csrf_token": _csrf(page.text), "otc": code})
        if 'id="signinform"' not in page.text:
            raise RuntimeError(_page_text(page.text) or f"HTTP {page.status_code}")
        form = {"csrf_token": _csrf(page.text), "login": username, "passwd": password}
        if cancel:
            form["cancel"] = "1"  # the "Cancel" button: decline the device's sign-in
        page = client.post("/common/login", data=form)
        if 'id="signinform"' in page.text:
            raise RuntimeError(_page_text(page.text) or "sign-in failed")
        if 'id="consentform"' in page.text:
            decision = "accept" if accept_consent else "decline"
            page = client.post("/common/consent", data={"csrf_token": _csrf(page.text), "decision": decision})
        text = _page_text(page.text)
        if page.status_code != 200 or "You have signed in" not in text:
            raise RuntimeError(text or f"HTTP {page.status_code}")
        return text


def _http_errors() -> type[Exception]:
    import httpx

    return httpx.HTTPError


def run(args: argparse.Namespace) -> int:
    endpoint = args.endpoint or os.environ.get("AKSLOCAL_ENDPOINT") or "https://127.0.0.1:8443"
    password = args.password or os.environ.get("AKSLOCAL_PASSWORD")
    if password is None:
        import getpass

        password = getpass.getpass(f"Password for {args.username}: ")
    try:
        text = complete(endpoint, args.code, args.username, password, verify=_ca_bundle(args.ca_bundle),
                        accept_consent=not args.no_consent)
    except RuntimeError as exc:
        print(f"devicelogin: {exc}", file=sys.stderr)
        return 1
    except (OSError, _http_errors()) as exc:  # connection refused, TLS trust, ...
        print(f"devicelogin: cannot reach {endpoint}: {exc}", file=sys.stderr)
        return 1
    print(text)
    return 0
