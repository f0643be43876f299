"""The plugin's one error type, and the translation of token-service errors into advice a person can act on."""

from __future__ import annotations

from typing import Any


class KubeloginError(Exception):
    """Printed on stderr as ``Error: <message>``; the plugin then exits 1 (kubectl shows it first)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RefreshFailed(KubeloginError):
    """The refresh token was refused: the caller falls back to a new sign-in."""


def printable(text: str) -> str:
    """Text from the token service with control characters (terminal escapes) dropped; newlines kept."""
    return "".join(c for c in text if c == "\n" or (c >= " " and c != "\x7f" and not 0x80 <= ord(c) < 0xA0))


def aadsts_codes(body: dict[str, Any]) -> list[int]:
    codes = body.get("error_codes")
    if isinstance(codes, list):
        return [c for c in codes if isinstance(c, int)]
    return []


def first_line(text: str) -> str:
    # Entra appends "\r\nTrace ID: …\r\nCorrelation ID: …"; the first line is the message.
    return text.replace("\r\n", "\n").split("\n", 1)[0].strip()


def from_oauth(body: dict[str, Any], *, client_id: str, server_id: str, tenant_id: str) -> KubeloginError:
    """A token-service error body (``error``, ``error_description``, ``error_codes``) as advice."""
    error = printable(str(body.get("error") or "unknown_error"))[:200]
    description = printable(first_line(str(body.get("error_description") or "")))[:1000]
    codes = aadsts_codes(body)
    if 65001 in codes or "AADSTS65001" in description:
        return KubeloginError(
            f"consent is missing: {description}\n"
            f"An administrator of tenant {tenant_id or '<tenant>'} can grant it for every user:\n"
            f"  az ad app permission grant --id {client_id} --api {server_id}\n"
            f"  az ad app permission admin-consent --id {client_id}\n"
            "or a user can consent on the sign-in page if the tenant allows user consent.")
    if error in ("expired_token", "code_expired") or 70019 in codes:
        return KubeloginError("the device code expired before the sign-in was completed; run the command again "
                              f"and finish signing in before the code expires ({description or error})")
    if error in ("authorization_declined", "access_denied"):
        return KubeloginError(f"the sign-in was declined ({error}); run the command again to retry"
                              + (f": {description}" if description else ""))
    if error == "bad_verification_code":
        return KubeloginError(f"the token service does not know this device code ({description or error})")
    return KubeloginError(f"the token service refused the request: {error}: {description}".rstrip(": "))


def unreachable(url: str, reason: object) -> KubeloginError:
    return KubeloginError(f"cannot reach the token service at {url}: {reason}\n"
                          "Check that it is running (akslocal start) and that --authority-host and the CA bundle "
                          "(AKSLOCAL_CA_BUNDLE or REQUESTS_CA_BUNDLE) are right.")
