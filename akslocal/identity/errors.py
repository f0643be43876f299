"""OAuth errors as Entra returns them: an OAuth ``error``, an AADSTS code and Entra's message text.

Grants raise :class:`OAuthError`; :func:`error_body` is the one place that renders it
(``error``, ``error_description`` with the trace/correlation/timestamp trailer,
``error_codes``, ``timestamp``, ``trace_id``, ``correlation_id``, ``error_uri``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class OAuthError(Exception):
    def __init__(self, error: str, code: int | None, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error = error
        self.code = code
        self.message = message
        self.status = status

    @property
    def description(self) -> str:
        return f"AADSTS{self.code}: {self.message}" if self.code is not None else self.message


def entra_timestamp(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def error_body(err: OAuthError, *, now: float, trace_id: str, correlation_id: str, public_url: str) -> dict[str, Any]:
    stamp = entra_timestamp(now)
    body: dict[str, Any] = {
        "error": err.error,
        "error_description": (
            f"{err.description}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {stamp}"
        ),
        "error_codes": [err.code] if err.code is not None else [],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
    }
    if err.code is not None:
        body["error_uri"] = f"{public_url}/error?code={err.code}"
    return body


# --- the errors, with Entra's texts (reference-error-codes; entra-protocol.md §2.3, §3.3) ---------------


def missing_parameter(name: str) -> OAuthError:
    return OAuthError("invalid_request", 900144, f"The request body must contain the following parameter: '{name}'.")


def invalid_parameter(name: str) -> OAuthError:
    return OAuthError("invalid_request", 90014, f"The provided value for the input parameter '{name}' is not valid.")


def tenant_not_found(ref: str) -> OAuthError:
    return OAuthError(
        "invalid_request",
        90002,
        f"Tenant '{ref[:100]}' not found. Check to make sure you have the correct tenant ID and are signing into the "
        "correct cloud. Check with your subscription administrator, this may happen if there are no active "
        "subscriptions for the tenant.",
    )


def no_tenant_information() -> OAuthError:
    return OAuthError(
        "invalid_request",
        50059,
        "No tenant-identifying information found in either the request or implied by any provided credentials.",
    )


def unsupported_grant_type(grant_type: str) -> OAuthError:
    return OAuthError(
        "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type[:80]}'."
    )


def app_not_found(app_id: str, tenant: str) -> OAuthError:
    return OAuthError(
        "unauthorized_client",
        700016,
        f"Application with identifier '{app_id[:100]}' was not found in the directory '{tenant}'. This can happen if "
        "the application has not been installed by the administrator of the tenant or consented to by any user in "
        "the tenant. You may have sent your authentication request to the wrong tenant.",
    )


def invalid_client_secret(app_id: str) -> OAuthError:
    return OAuthError(
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
        f"not the client secret ID, for a secret added to app '{app_id}'.",
        status=401,
    )


def client_secret_required() -> OAuthError:
    return OAuthError(
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        status=401,
    )


def public_client_secret() -> OAuthError:
    return OAuthError(
        "invalid_client",
        700025,
        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        status=401,
    )


def resource_not_found(resource: str, tenant: str) -> OAuthError:
    return OAuthError(
        "invalid_resource",
        500011,
        f"The resource principal named {resource[:200]} was not found in the tenant named {tenant}. This can happen "
        "if the application has not been installed by the administrator of the tenant or consented to by any user "
        "in the tenant. You might have sent your authentication request to the wrong tenant.",
    )


def invalid_scope(scope: str) -> OAuthError:
    return OAuthError(
        "invalid_scope",
        70011,
        f"The provided value for the input parameter 'scope' is not valid. The scope {scope[:300]} is not valid.",
    )


def client_credentials_scope(scope: str) -> OAuthError:
    return OAuthError(
        "invalid_scope",
        1002012,
        f"The provided value for scope {scope[:300]} is not valid. Client credential flows must have a scope value "
        "with /.default suffixed to the resource identifier (application ID URI).",
    )


def multiple_resources(scope: str) -> OAuthError:
    return OAuthError(
        "invalid_scope",
        28000,
        "Provided value for the input parameter scope is not valid because it contains more than one resource. "
        f"Scope {scope[:300]} is not valid.",
    )


def consent_required(app_id: str, app_name: str, interactive: bool = False) -> OAuthError:
    return OAuthError(
        "consent_required" if interactive else "invalid_grant",
        65001,
        f"The user or administrator has not consented to use the application with ID '{app_id}' named "
        f"'{app_name}'. Send an interactive authorization request for this user and resource.",
    )


def resource_not_in_permissions() -> OAuthError:
    return OAuthError(
        "invalid_client",
        650057,
        "Invalid resource. The client has requested access to a resource which is not listed in the requested "
        "permissions in the client's application registration.",
    )


def user_not_found(upn: str, tenant: str) -> OAuthError:
    return OAuthError(
        "invalid_grant",
        50034,
        f"The user account {upn[:200]} does not exist in the {tenant} directory. To sign into this application, the "
        "account must be added to the directory.",
    )


def bad_password() -> OAuthError:
    return OAuthError("invalid_grant", 50126, "Error validating credentials due to invalid username or password.")


def account_disabled() -> OAuthError:
    return OAuthError("invalid_grant", 50057, "The user account is disabled.")


def account_locked() -> OAuthError:
    return OAuthError(
        "invalid_grant",
        50053,
        "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password.",
    )


def authorization_pending() -> OAuthError:
    return OAuthError(
        "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling."
    )


def slow_down() -> OAuthError:
    return OAuthError(
        "slow_down", None, "OAuth 2.0 device flow error. Polling too fast; increase the interval by 5 seconds."
    )


def authorization_declined() -> OAuthError:
    return OAuthError("authorization_declined", 70000, "The end user declined the authorization request.")


def bad_verification_code() -> OAuthError:
    return OAuthError("bad_verification_code", 70018, "Invalid verification code. The device code is not valid.")


def expired_device_code() -> OAuthError:
    return OAuthError("expired_token", 70019, "Verification code expired.")


def invalid_grant(message: str = "Provided grant is invalid or malformed.") -> OAuthError:
    return OAuthError("invalid_grant", 70000, message)


def expired_grant() -> OAuthError:
    return OAuthError(
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive "
        "authorization request for this user and resource.",
    )


def revoked_grant() -> OAuthError:
    return OAuthError(
        "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed."
    )


def code_redeemed() -> OAuthError:
    return OAuthError(
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing "
        "refresh token.",
    )


def code_verifier_mismatch() -> OAuthError:
    return OAuthError(
        "invalid_grant",
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    )


def redirect_mismatch(uri: str, app_id: str) -> OAuthError:
    return OAuthError(
        "invalid_request",
        50011,
        f"The redirect URI '{uri[:300]}' specified in the request does not match the redirect URIs configured for the "
        f"application '{app_id}'. Make sure the redirect URI sent in the request matches one added to your "
        "application in the Azure portal.",
    )


def login_required() -> OAuthError:
    """``prompt=none`` with no signed-in session (akslocal keeps none, so silent sign-in never succeeds)."""
    return OAuthError("login_required", 50058, "A silent sign-in request was sent but no user is signed in.")


def public_client_flow_not_allowed() -> OAuthError:
    return client_secret_required()


def invalid_assertion(reason: str) -> OAuthError:
    return OAuthError("invalid_grant", 50013, f"Assertion failed signature validation. [Reason - {reason[:200]}]")
