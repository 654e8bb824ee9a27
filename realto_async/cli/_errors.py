"""Exit codes, and turning any error into one line that says what to do."""

from __future__ import annotations

import re

from .._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RealtoError,
)
from .._outcome import CommandOutcomeUnknownError

__all__ = ["EXIT_CODES", "ExitCode", "describe"]


class ExitCode:
    """The exit codes of ``realto`` (documented in the README and in ``realto --help``)."""

    OK = 0
    ERROR = 1  # any other API error (the message says which)
    USAGE = 2  # a bad option or argument
    CONFIGURATION = 3  # missing credentials, a malformed --base-url, a missing extra
    AUTHENTICATION = 4  # the credentials were refused (401) or lack the permission (403)
    NOT_FOUND = 5  # the entity, command or request does not exist
    UNREACHABLE = 6  # the API could not be reached or did not answer in time
    PARTIAL = 7  # an export finished but some entities failed (listed on stderr)
    STATE_IN_USE = 8  # another export is running with the same --state
    INTERRUPTED = 130  # Ctrl+C


_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (ConfigurationError, ExitCode.CONFIGURATION),
    (APIConnectionError, ExitCode.UNREACHABLE),
    (AuthenticationError, ExitCode.AUTHENTICATION),
    (PermissionDeniedError, ExitCode.AUTHENTICATION),
    (NotFoundError, ExitCode.NOT_FOUND),
    (InvalidArgumentError, ExitCode.USAGE),
)

EXIT_CODES = """\b
Exit codes: 0 success; 1 API error; 2 bad usage; 3 configuration (credentials, --base-url,
missing extra); 4 credentials refused or not permitted; 5 not found; 6 API unreachable or
timed out; 7 export finished with failed entities; 8 another export is using the same --state;
130 interrupted."""


def _code(err: BaseException) -> int:
    for kind, code in _CODES:
        if isinstance(err, kind):
            return code
    return ExitCode.ERROR


# The SDK's hints speak Python; on the command line they must name what a shell user can do.
_SDK_HINTS = (
    (
        re.compile(r"\s*\[listing interrupted: resume with continuation_token=[^\]]*\]"),
        " (run the command again)",
    ),
    (re.compile(r"pass ignore_cooldown\b"), "pass --ignore-cooldown"),
    (re.compile(r"pass a writable path"), "give a writable --state"),
    (re.compile(r"raise timeout="), "raise --timeout"),
    (re.compile(r"check base_url"), "check --base-url"),
)
_CONNECTION_SETTINGS = ("base_url", "base url", "token_url", "flavor", "timeout", "url")


def _in_cli_terms(err: BaseException, message: str) -> str:
    if isinstance(err, CommandOutcomeUnknownError):
        since = err.sent_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        message = re.sub(
            r"Call 'await err\.reconcile\(client\)' before sending it again",
            f"check with `realto commands list {err.entity_id} --since {since}` before sending it again",
            message,
        )
    for pattern, replacement in _SDK_HINTS:
        message = pattern.sub(replacement, message)
    return message


def describe(err: BaseException, base_url: str | None) -> tuple[str, int]:
    """A one-line message saying what went wrong and what to do, and the exit code."""
    from ..export import MissingDependencyError

    message = str(err).splitlines()[0] if str(err) else type(err).__name__
    message = _in_cli_terms(err, message)
    if "check " in message:  # the SDK's message already says what to do
        return message, _code(err)
    if isinstance(err, MissingDependencyError):
        return message, ExitCode.CONFIGURATION
    if isinstance(err, ConfigurationError):
        if "credentials" in message or "client_id" in message:
            return (
                "no credentials: set REALTO_CLIENT_ID and REALTO_CLIENT_SECRET in the environment "
                "(the CLI never takes secrets as options)",
                ExitCode.CONFIGURATION,
            )
        if any(setting in message.lower() for setting in _CONNECTION_SETTINGS) and "--state" not in message:
            return (
                f"{message} (check --base-url / REALTO_BASE_URL, --flavor, --timeout)",
                ExitCode.CONFIGURATION,
            )
        return message, ExitCode.CONFIGURATION
    if isinstance(err, (APITimeoutError, APIConnectionError)):
        where = base_url or "the API"
        return (
            f"cannot reach {where}: {message} (check --base-url / REALTO_BASE_URL and the network)",
            ExitCode.UNREACHABLE,
        )
    if isinstance(err, (AuthenticationError, PermissionDeniedError)):
        return (
            f"{message} (check REALTO_CLIENT_ID / REALTO_CLIENT_SECRET and the entity's permissions)",
            ExitCode.AUTHENTICATION,
        )
    if isinstance(err, NotFoundError):
        return f"{message} (check the id)", ExitCode.NOT_FOUND
    if isinstance(err, InvalidArgumentError):
        return message, ExitCode.USAGE
    if isinstance(err, RealtoError):
        return message, ExitCode.ERROR
    return f"unexpected {type(err).__name__}: {message} (run again with --debug for the traceback)", 1
