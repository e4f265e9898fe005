"""The root of every SDK error: apart from the others, so that a call that succeeds loads none of them."""

from ._redact import known_secrets, scrub


class SDKError(Exception):
    """Root of every error the SDK raises."""

    message: str

    def __init__(self, message: str) -> None:
        # Whatever built the message, no credential of this process's clients survives in it.
        message = scrub(message, known_secrets())
        super().__init__(message)
        self.message = message
