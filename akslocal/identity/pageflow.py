"""The interactive sign-in journey behind the pages, as plain functions over the store.

A *page flow* is one browser's journey (device code entry, or an authorize request):
its record (kind ``identity.page_flow``, keyed by the SHA-256 of the cookie value) holds
the CSRF token, what is being signed in to, and who signed in.  Steps::

    device:    enter code -> sign in -> [consent] -> device code approved
    authorize: (validated request) -> sign in -> [consent] -> authorization code

Guessing is bounded: a flow allows ``MAX_CODE_ATTEMPTS`` wrong user codes, and a client
address ``MAX_CODE_GUESSES_PER_IP`` per 15 minutes; passwords are locked out per user by
:mod:`signins`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from akslocal.identity import directory_view as dv
from akslocal.identity import errors, flows, resources, signins
from akslocal.identity.grants.signin import sign_in
from akslocal.identity.resources import ResourceAsk
from akslocal.store import Kind, Tx

PAGE_FLOWS = Kind("identity.page_flow")
CODE_GUESSES = Kind("identity.code_guess")
FLOW_LIFETIME = 15 * 60
MAX_CODE_ATTEMPTS = 5
MAX_CODE_GUESSES_PER_IP = 20
GUESS_WINDOW = 15 * 60


class PageError(Exception):
    """A message for the user on the current page (never a stack trace)."""

    def __init__(self, message: str, *, status: int = 400, final: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.final = final


@dataclass
class Outcome:
    """What the page should show next: ``signin``, ``consent``, ``done``, ``declined``, ``admin``, ``redirect``."""

    step: str
    flow: dict[str, Any]
    scopes: list[str] | None = None
    redirect: dict[str, Any] | None = None


def new_flow(tx: Tx, entropy, *, now: float, kind: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    flow_id = entropy.token(32)
    doc = {"kind": kind, "csrf": entropy.token(32), "created": now, "expires": now + FLOW_LIFETIME,
           "code_attempts": 0, "user_id": None, "user_tenant_id": None, "finished": False, **data}
    tx.create(PAGE_FLOWS, flows.code_key(flow_id), doc)
    return flow_id, doc


def load_flow(tx: Tx, flow_id: str | None, now: float) -> dict[str, Any] | None:
    if not flow_id or len(flow_id) > 128:
        return None
    doc = tx.get(PAGE_FLOWS, flows.code_key(flow_id))
    if doc is None or now >= doc["expires"]:
        return None
    return doc


def save_flow(tx: Tx, flow_id: str, doc: dict[str, Any]) -> None:
    tx.put(PAGE_FLOWS, flows.code_key(flow_id), doc)


def check_csrf(flow: dict[str, Any] | None, token: str | None) -> bool:
    return bool(flow and token) and hmac.compare_digest(flow["csrf"].encode(), str(token).encode())


def _note_guess(tx: Tx, ip: str, now: float) -> int:
    doc = tx.get(CODE_GUESSES, ip) or {"count": 0, "since": now}
    if now - doc["since"] > GUESS_WINDOW:
        doc = {"count": 0, "since": now}
    doc = {**doc, "count": doc["count"] + 1}
    tx.put(CODE_GUESSES, ip, doc)
    return doc["count"]


def _guesses(tx: Tx, ip: str, now: float) -> int:
    doc = tx.get(CODE_GUESSES, ip)
    if doc is None or now - doc["since"] > GUESS_WINDOW:
        return 0
    return doc["count"]


def enter_user_code(tx: Tx, flow_id: str, flow: dict[str, Any], code: str, *, ip: str, now: float) -> dict:
    """Attach a device code to the flow; PageError for a wrong, used or expired code (attempts are counted)."""
    if flow["code_attempts"] >= MAX_CODE_ATTEMPTS or _guesses(tx, ip, now) >= MAX_CODE_GUESSES_PER_IP:
        raise PageError("Too many attempts. Wait a few minutes, then get a new code and try again.", status=429)
    record = flows.find_by_user_code(tx, code)
    if record is None or record.doc["status"] != "pending" or now >= record.doc["expires"]:
        save_flow(tx, flow_id, {**flow, "code_attempts": flow["code_attempts"] + 1})
        _note_guess(tx, ip, now)
        if record is not None and now >= record.doc["expires"]:
            raise PageError("The code you entered has expired. Get a new code from the device you're trying to "
                            "sign in to and try again.")
        raise PageError("That code didn't work. Check the code and try again.")
    doc = {**flow, "device_key": record.key, "client_id": record.doc["client_id"],
           "client_name": record.doc["client_name"], "tenant_id": record.doc["tenant_id"], "ask": record.doc["ask"]}
    save_flow(tx, flow_id, doc)
    return doc


def submit_password(tx: Tx, flow_id: str, flow: dict[str, Any], *, username: str, password: str,
                    now: float, entropy) -> Outcome:
    """Sign in; then consent if needed, else finish.  Failed attempts are recorded (caller commits)."""
    tenant = dv.get_tenant(tx, flow["tenant_id"]) if flow.get("tenant_id") else None
    try:
        found = sign_in(tx, tenant=tenant, username=username, password=password, now=now)
    except errors.OAuthError as err:
        signins.record(tx, entropy, now=now, tenant_id=flow.get("tenant_id"), app_id=flow.get("client_id"),
                       app_name=flow.get("client_name"), upn=username[:320], grant_type="interactive",
                       error_code=err.code, failure_reason=err.message)
        raise PageError(_page_text(err.code)) from None
    flow = {**flow, "user_id": found.user.id, "user_tenant_id": found.tenant_id, "upn": username[:320]}
    save_flow(tx, flow_id, flow)
    signins.record(tx, entropy, now=now, tenant_id=found.tenant_id, app_id=flow.get("client_id"),
                   app_name=flow.get("client_name"), user_id=found.user.id, upn=found.user.upn,
                   grant_type="interactive")
    return after_sign_in(tx, flow_id, flow, now=now, entropy=entropy)


def _page_text(code: int | None) -> str:
    if code == 50053:
        return "Your account has been locked. Contact your support person to unlock it, then try again."
    if code == 50034:
        return "This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin."
    if code == 50057:
        return "Your account has been disabled. Contact your administrator."
    return "Your account or password is incorrect. If you don't remember your password, reset it now."


def _consent_state(tx: Tx, flow: dict[str, Any]):
    """(client app, client SP, resource) and the scopes still missing consent ([] when none)."""
    tenant_id = flow["user_tenant_id"]
    client_app = dv.client_app(tx, flow["client_id"])
    client_sp = dv.service_principal(tx, tenant_id, flow["client_id"])
    if client_app is None or client_sp is None:
        raise PageError(errors.app_not_found(flow["client_id"], tenant_id).description, final=True)
    ask = ResourceAsk.from_doc(flow["ask"])
    try:
        resource = resources.resolve(tx, tenant_id, ask, edge_url=flow.get("edge_url", ""))
        resources.delegated_scopes(tx, tenant_id, flow["client_id"], client_app, client_sp, resource,
                                   flow["user_id"])
    except resources.ConsentNeeded as need:
        return client_sp, resource, need
    except errors.OAuthError as err:
        raise PageError(err.description, final=True) from None
    return client_sp, resource, None


def after_sign_in(tx: Tx, flow_id: str, flow: dict[str, Any], *, now: float, entropy) -> Outcome:
    _sp, _resource, need = _consent_state(tx, flow)
    if need is not None:
        return Outcome("consent", flow, scopes=need.scopes)
    return finish(tx, flow_id, flow, now=now, entropy=entropy)


def consent(tx: Tx, flow_id: str, flow: dict[str, Any], *, accept: bool, now: float, entropy) -> Outcome:
    if not flow.get("user_id"):
        raise PageError("Sign in first.", final=True)
    if not accept:
        return decline(tx, flow_id, flow, now=now)
    client_sp, resource, need = _consent_state(tx, flow)
    if need is not None:
        from akslocal.directory.errors import DirectoryError

        try:
            dv.record_user_consent(tx, flow["user_tenant_id"], client_sp.id, resource.sp.id, flow["user_id"],
                                   need.scopes)
        except DirectoryError:
            return Outcome("admin", flow)
    return finish(tx, flow_id, flow, now=now, entropy=entropy)


def decline(tx: Tx, flow_id: str, flow: dict[str, Any], *, now: float) -> Outcome:
    if flow["kind"] == "device" and flow.get("device_key"):
        flows.decide_device_code(tx, flow["device_key"], approve=False, user_id=flow.get("user_id"),
                                 user_tenant_id=flow.get("user_tenant_id"), now=now)
    save_flow(tx, flow_id, {**flow, "finished": True, "expires": now})
    if flow["kind"] == "authorize":
        return Outcome("redirect", flow, redirect={"error": "access_denied",
                                                   "error_description": "AADSTS65004: User declined to consent to "
                                                                        "access the app."})
    return Outcome("declined", flow)


def finish(tx: Tx, flow_id: str, flow: dict[str, Any], *, now: float, entropy) -> Outcome:
    save_flow(tx, flow_id, {**flow, "finished": True, "expires": now})
    if flow["kind"] == "device":
        if not flows.decide_device_code(tx, flow["device_key"], approve=True, user_id=flow["user_id"],
                                        user_tenant_id=flow["user_tenant_id"], now=now):
            raise PageError("That code has already been used or has expired. Get a new code and try again.",
                            final=True)
        return Outcome("done", flow)
    code = flows.create_auth_code(tx, entropy, now=now, doc={
        "client_id": flow["client_id"], "redirect_uri": flow["redirect_uri"], "tenant_id": flow["user_tenant_id"],
        "user_id": flow["user_id"], "ask": flow["ask"], "nonce": flow.get("nonce"),
        "code_challenge": flow.get("code_challenge"), "code_challenge_method": flow.get("code_challenge_method"),
    })
    return Outcome("redirect", flow, redirect={"code": code})
