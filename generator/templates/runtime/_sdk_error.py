"""The root of every SDK error and the credentials each one is scrubbed against.

Apart from the other errors and from the scrubbing rule (`_redact`), which a call that succeeds
never loads.
"""

import threading
from collections.abc import Iterable

# Shorter values would blank out ordinary words in messages; real credentials are far longer.
_MIN_SECRET_LENGTH = 6
# Every SDK exception is scrubbed against the credentials of the clients made in this process, so no
# path that builds a message (a validation error, a future one) can forget to.
_KNOWN: dict[str, None] = {}
_KNOWN_LOCK = threading.Lock()
_MAX_KNOWN = 256


def secrets_of(auth_value: str | None) -> tuple[str, ...]:
    """Return the strings to scrub for a credential: the value and, for `Bearer x`, the bare token."""
    if not auth_value:
        return ()
    scheme, _, token = auth_value.partition(" ")
    candidates = (auth_value, token.strip()) if scheme and token.strip() else (auth_value,)
    return tuple(secret for secret in candidates if len(secret) >= _MIN_SECRET_LENGTH)


def remember(secrets: Iterable[str]) -> None:
    """Add credentials to those every SDK exception message is scrubbed against."""
    with _KNOWN_LOCK:
        for secret in secrets:
            if len(secret) >= _MIN_SECRET_LENGTH:
                _KNOWN.pop(secret, None)
                _KNOWN[secret] = None
        while len(_KNOWN) > _MAX_KNOWN:
            del _KNOWN[next(iter(_KNOWN))]


def known_secrets() -> tuple[str, ...]:
    """Return the credentials remembered so far."""
    with _KNOWN_LOCK:
        return tuple(_KNOWN)


class SDKError(Exception):
    """Root of every error the SDK raises."""

    message: str

    def __init__(self, message: str) -> None:
        from ._redact import scrub  # loaded by the first error

        # Whatever built the message, no credential of this process's clients survives in it.
        message = scrub(message, known_secrets())
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[object, ...]:
        # pickle and copy rebuild an exception by calling its class with `args`; the subclasses take
        # keyword-only arguments, so an error raised in a worker process (ProcessPoolExecutor,
        # multiprocessing) could not reach its parent. Rebuilt as it is instead: class, message,
        # attributes, without credentials (in a module of its own: only a pickle loads it).
        from ._pickling import rebuilt, without_credentials

        return (rebuilt, (type(self), self.args), without_credentials(self.__dict__))
