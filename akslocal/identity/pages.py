"""The sign-in pages: device code entry, sign-in, consent, the authorize endpoints and logout.

Server-rendered with Jinja2 (autoescaped).  Each browser journey is a page flow
(:mod:`pageflow`) named by an HttpOnly, Secure, SameSite=Lax cookie; every form carries the
flow's CSRF token.  Redirects go only to a redirect URI registered on the client, compared
exactly; anything else is shown as an error page, never redirected to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from akslocal.identity import directory_view as dv
from akslocal.identity import errors, pageflow, resources
from akslocal.identity.pageflow import PageError

COOKIE = "akslocal_flow"
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
MAX_FORM = 16 * 1024



def _open_flow(tx, flow_id: str, form, now: float) -> dict | None:
    """The sign-in flow a form post continues, or None when it is unknown, finished or the CSRF token is wrong."""
    flow = pageflow.load_flow(tx, flow_id, now)
    if flow is None or flow["finished"] or not pageflow.check_csrf(flow, form.get("csrf_token")):
        return None
    return flow


def _headers(nonce: str | None = None) -> dict[str, str]:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    return {
        "Content-Security-Policy": f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; "
        "frame-ancestors 'none'; base-uri 'none'",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def render(name: str, status: int = 200, nonce: str | None = None, **values: Any) -> HTMLResponse:
    values.setdefault("title", "Sign in to your account")
    return HTMLResponse(_ENV.get_template(name).render(**values), status_code=status, headers=_headers(nonce))


def message(heading: str, text: str, status: int = 200, detail: str | None = None) -> HTMLResponse:
    return render("message.html", status=status, heading=heading, message=text, detail=detail, title=heading)


def _expired(advice: str) -> HTMLResponse:
    """The page for a form post whose flow is unknown, finished or carries the wrong CSRF token."""
    return message("Your session has expired", advice, status=400)


def _trouble(text: str, status: int = 400) -> HTMLResponse:
    """The page for a sign-in that cannot go on."""
    return message("Sorry, but we're having trouble signing you in.", text, status=status)


async def read_form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM:
        return {}
    from urllib.parse import parse_qsl

    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        return {}
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def _set_cookie(response: Response, flow_id: str) -> Response:
    response.set_cookie(COOKIE, flow_id, max_age=pageflow.FLOW_LIFETIME, httponly=True, secure=True,
                        samesite="lax", path="/")
    return response


def _redirect_with(flow: dict[str, Any], params: dict[str, Any]) -> Response:
    """Send the authorization response to the (already validated) redirect URI."""
    params = {**params}
    if flow.get("state") is not None:
        params["state"] = flow["state"]
    uri, mode = flow["redirect_uri"], flow.get("response_mode") or "query"
    if mode == "form_post":
        import secrets

        nonce = secrets.token_urlsafe(16)
        return render("form_post.html", nonce=nonce, action=uri, fields=sorted(params.items()))
    sep = "#" if mode == "fragment" else ("&" if "?" in uri else "?")
    return RedirectResponse(uri + sep + urlencode(params), status_code=302, headers={"Cache-Control": "no-store"})


def routes(services) -> list[BaseRoute]:
    store, clock, entropy = services.store, services.clock, services.entropy
    edge = services.settings.public_url

    def client_ip(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    async def posted(request: Request) -> tuple[float, dict[str, str], str]:
        """A sign-in form post: the clock read first, then the form and the flow cookie."""
        now = clock.now()
        return now, await read_form(request), request.cookies.get(COOKIE, "")

    def show(outcome: pageflow.Outcome, flow_id: str) -> Response:
        flow = outcome.flow
        name = flow.get("client_name") or flow.get("client_id")
        if outcome.step == "consent":
            return render("consent.html", csrf=flow["csrf"], app_name=name, scopes=outcome.scopes or [],
                          title="Permissions requested")
        if outcome.step == "admin":
            return message("Need admin approval", f"{name} needs permission to access resources in your "
                           "organization that only an admin can grant. Please ask an admin to grant permission to "
                           "this app before you can use it.", status=403)
        if outcome.step == "declined":
            return message("Sign-in canceled", f"You have declined to sign in to the {name} application on your "
                           "device. You may now close this window.")
        if outcome.step == "done":
            return message("You're signed in", f"You have signed in to the {name} application on your device. "
                           "You may now close this window.")
        assert outcome.step == "redirect" and outcome.redirect is not None
        return _redirect_with(flow, outcome.redirect)

    def signin_page(flow: dict[str, Any], error: str | None = None, status: int = 200) -> HTMLResponse:
        return render("signin.html", status=status, csrf=flow["csrf"], error=error,
                      app_name=flow.get("client_name"), login_hint=flow.get("login_hint") or "",
                      can_cancel=flow["kind"] == "device")

    async def devicelogin(request: Request) -> Response:
        now = clock.now()
        if request.method == "GET":
            with store.transaction() as tx:
                flow_id, flow = pageflow.new_flow(tx, entropy, now=now, kind="device", data={"edge_url": edge})
            code = pageflow.flows.normalise_user_code(request.query_params.get("otc", ""))
            return _set_cookie(render("devicelogin.html", csrf=flow["csrf"], code=code, error=None,
                                      title="Enter code"), flow_id)
        form = await read_form(request)
        flow_id = request.cookies.get(COOKIE, "")
        outcome: Response
        with store.transaction() as tx:
            flow = pageflow.load_flow(tx, flow_id, now)
            if flow is None or flow["kind"] != "device" or not pageflow.check_csrf(flow, form.get("csrf_token")):
                return _expired("Go back and enter the code again.")
            try:
                flow = pageflow.enter_user_code(tx, flow_id, flow, form.get("otc", ""), ip=client_ip(request),
                                                now=now)
                outcome = signin_page(flow)
            except PageError as err:
                outcome = render("devicelogin.html", status=err.status, csrf=flow["csrf"], error=err.message,
                                 code="", title="Enter code")
        return outcome

    async def login(request: Request) -> Response:
        now, form, flow_id = await posted(request)
        with store.transaction() as tx:
            flow = _open_flow(tx, flow_id, form, now)
            if flow is None:
                return _expired("Start signing in again.")
            if flow["kind"] == "device" and not flow.get("device_key"):
                return _expired("Go back and enter the code again.")
            try:
                if form.get("cancel") and flow["kind"] == "device":
                    return show(pageflow.decline(tx, flow_id, flow, now=now), flow_id)
                outcome = pageflow.submit_password(tx, flow_id, flow, username=form.get("login", ""),
                                                   password=form.get("passwd", ""), now=now, entropy=entropy)
            except PageError as err:
                if err.final:
                    return _trouble(err.message)
                return signin_page({**flow, "login_hint": form.get("login", "")[:320]}, err.message, status=400)
            return show(outcome, flow_id)

    async def consent(request: Request) -> Response:
        now, form, flow_id = await posted(request)
        with store.transaction() as tx:
            flow = _open_flow(tx, flow_id, form, now)
            if flow is None:
                return _expired("Start signing in again.")
            try:
                outcome = pageflow.consent(tx, flow_id, flow, accept=form.get("decision") == "accept", now=now,
                                           entropy=entropy)
            except PageError as err:
                return _trouble(err.message)
            return show(outcome, flow_id)

    def authorize_endpoint(version: int):
        async def handler(request: Request) -> Response:
            params = dict(request.query_params)
            if request.method == "POST":
                params.update(await read_form(request))
            now = clock.now()
            with store.transaction() as tx:
                try:
                    data = validate_authorize(tx, request.path_params["tenant"], params, version)
                except PageError as err:
                    return _trouble(err.message, status=err.status)
                except _RedirectError as err:
                    return _redirect_with(err.flow, err.params)
                flow_id, flow = pageflow.new_flow(tx, entropy, now=now, kind="authorize", data=data)
            return _set_cookie(signin_page(flow), flow_id)

        return handler

    def validate_authorize(tx, tenant_ref: str, params: dict[str, str], version: int) -> dict[str, Any]:
        if tenant_ref.lower() in dv.COMMON_TENANTS:
            tenant = None
        else:
            tenant = dv.resolve_tenant(tx, tenant_ref) if len(tenant_ref) <= 256 else None
            if tenant is None:
                raise PageError(errors.tenant_not_found(tenant_ref).description)
        client_id = params.get("client_id", "")
        app = dv.client_app(tx, client_id) if client_id and len(client_id) <= 256 else None
        if app is None:
            where = tenant.id if tenant else tenant_ref
            raise PageError(errors.app_not_found(client_id or "(none)", where).description)
        redirect_uri = params.get("redirect_uri", "")
        registered = (*app.web_redirect_uris, *app.public_client_redirect_uris, *getattr(app, "spa_redirect_uris", ()))
        if redirect_uri not in registered:  # exact match: no prefix, case or trailing-slash leniency
            raise PageError(errors.redirect_mismatch(redirect_uri or "(none)", app.app_id).description)
        mode = params.get("response_mode") or "query"
        if mode not in ("query", "fragment", "form_post"):
            mode = "query"
        base = {"client_id": app.app_id, "client_name": app.display_name, "redirect_uri": redirect_uri,
                "response_mode": mode, "state": params.get("state"), "tenant_id": tenant.id if tenant else None,
                "edge_url": edge}
        if params.get("response_type") != "code":
            raise _RedirectError(base, {"error": "unsupported_response_type",
                                        "error_description": "AADSTS70005: The provided value for the input "
                                        "parameter 'response_type' is not allowed for this request."})
        try:
            if version == 2:
                ask = resources.parse_scope(params.get("scope") or "openid")
            else:
                if not params.get("resource"):
                    ask = resources.parse_scope("openid")
                else:
                    ask = resources.parse_resource(params["resource"], api_version=None, scope=params.get("scope"))
        except errors.OAuthError as err:
            raise _RedirectError(base, {"error": err.error, "error_description": err.description}) from None
        challenge = params.get("code_challenge")
        method = params.get("code_challenge_method") or ("plain" if challenge else None)
        if challenge and (method not in ("S256", "plain") or not 43 <= len(challenge) <= 128):
            raise _RedirectError(base, {"error": "invalid_request",
                                        "error_description": "AADSTS501491: Invalid size of Code_Challenge "
                                        "parameter or unsupported code_challenge_method."})
        if params.get("prompt") == "none":  # a silent request: there is never a session to answer it from
            err = errors.login_required()
            raise _RedirectError(base, {"error": err.error, "error_description": err.description})
        return {**base, "ask": ask.to_doc(), "nonce": (params.get("nonce") or "")[:512] or None,
                "code_challenge": challenge, "code_challenge_method": method,
                "login_hint": (params.get("login_hint") or "")[:320]}

    async def logout(request: Request) -> Response:
        flow_id = request.cookies.get(COOKIE, "")
        with store.transaction() as tx:
            if flow_id and pageflow.load_flow(tx, flow_id, clock.now()) is not None:
                tx.delete(pageflow.PAGE_FLOWS, pageflow.flows.code_key(flow_id))
            target = request.query_params.get("post_logout_redirect_uri")
            client_id = request.query_params.get("client_id")
            app = dv.client_app(tx, client_id) if target and client_id and len(client_id) <= 256 else None
        if app is not None and target in (*app.web_redirect_uris, *app.public_client_redirect_uris):
            response: Response = RedirectResponse(target, status_code=302)
        else:
            response = message("You signed out of your account", "It's a good idea to close all browser windows.")
        response.delete_cookie(COOKIE, path="/")
        return response

    return [
        Route("/devicelogin", devicelogin, methods=["GET", "POST"]),
        Route("/common/login", login, methods=["POST"]),
        Route("/common/consent", consent, methods=["POST"]),
        Route("/{tenant}/oauth2/authorize", authorize_endpoint(1), methods=["GET", "POST"]),
        Route("/{tenant}/oauth2/v2.0/authorize", authorize_endpoint(2), methods=["GET", "POST"]),
        Route("/{tenant}/oauth2/logout", logout, methods=["GET", "POST"]),
        Route("/{tenant}/oauth2/v2.0/logout", logout, methods=["GET", "POST"]),
    ]


class _RedirectError(Exception):
    def __init__(self, flow: dict[str, Any], params: dict[str, str]) -> None:
        super().__init__(params.get("error"))
        self.flow = flow
        self.params = params
