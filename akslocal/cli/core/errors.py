"""azlocal's errors: one type per kind of failure, each with az's exit code.

Handlers raise these; ``main`` renders them as ``ERROR: <message>`` (plus any
recommendation lines) in exactly one place, like azure-cli's ``azclierror`` layer.
"""

from __future__ import annotations


class AzLocalError(Exception):
    """A failure the user can act on; ``exit_code`` follows az (1 error, 2 usage, 3 not found)."""

    exit_code = 1

    def __init__(self, message: str, recommendation: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.recommendations = [recommendation] if recommendation else []


class ArgumentUsageError(AzLocalError):
    exit_code = 2


class InvalidArgumentValueError(AzLocalError):
    exit_code = 2


class RequiredArgumentMissingError(AzLocalError):
    exit_code = 2


class ResourceNotFoundError(AzLocalError):
    exit_code = 3


class AuthenticationError(AzLocalError):
    pass


class ForbiddenError(AzLocalError):
    pass


class ServiceError(AzLocalError):
    """The service answered with an error that is not the caller's argument or a missing resource."""


class ConnectionFailure(AzLocalError):
    pass


LOGIN_MESSAGE = "Please run 'azlocal login' to setup account."
