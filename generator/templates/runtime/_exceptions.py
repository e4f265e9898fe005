"""Exceptions raised by the SDK, one class per failure and per HTTP status."""

from collections.abc import Iterable, Mapping
from typing import cast

import httpx

from ._redact import scrub, scrub_bytes
from ._sdk_error import SDKError as SDKError
from ._sdk_error import known_secrets

_MAX_DETAIL = 300


class APIConnectionError(SDKError):
    """The request did not get an answer: the network failed or the server hung up."""

    request: httpx.Request | None

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request did not get an answer in time."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)


class APIStatusError(SDKError):
    """The server answered with a status outside 2xx."""

    status_code: int
    body: object
    provider_errors: list[object]
    response: httpx.Response
    retry_after: float | None

    def __init__(
        self, message: str, *, response: httpx.Response, body: object, provider_errors: list[object]
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = scrubbed(body)  # a server may echo the credential it was sent
        self.provider_errors = cast("list[object]", scrubbed(provider_errors))
        from ._retry import parse_retry_after  # a call that succeeds never loads the retry policy

        self.retry_after = parse_retry_after(response.headers)

    @property
    def request_id(self) -> str | None:
        """The provider's id for the failed request, as `RawResponse.request_id`: what its support asks
        for; scrubbed like the message, since a server may echo anything it was sent."""
        from ._responses import request_id_of

        found = request_id_of(self.response.headers)
        return None if found is None else scrub(found, known_secrets())


class BadRequestError(APIStatusError):
    """400: the server rejected the request as malformed."""


class AuthenticationError(APIStatusError):
    """401: the credential is missing or invalid."""


class PermissionDeniedError(APIStatusError):
    """403: the credential may not use this resource."""


class NotFoundError(APIStatusError):
    """404: no such model or endpoint."""


class MethodNotAllowedError(APIStatusError):
    """405: the endpoint does not accept this method."""


class InsufficientCreditsError(APIStatusError):
    """The account has not enough credits: the status a model's document declares for it (Segmind's
    pages: 406). Another model's 406 (Not Acceptable, in HTTP) is a plain APIStatusError."""


class RequestTimeoutError(APIStatusError):
    """408: the server gave up waiting for the request."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request is well-formed but its values are invalid."""


class RateLimitError(APIStatusError):
    """429: too many requests; see `retry_after`."""


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    408: RequestTimeoutError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


class ProviderError(SDKError):
    """The server answered 200 but its envelope reports failure (`success: false`)."""

    provider_errors: list[object]
    messages: list[object]
    body: object

    def __init__(
        self, message: str, *, provider_errors: list[object], messages: list[object], body: object
    ) -> None:
        super().__init__(message)
        self.provider_errors = cast("list[object]", scrubbed(provider_errors))
        self.messages = cast("list[object]", scrubbed(messages))
        self.body = scrubbed(body)


class StreamError(SDKError):
    """An event stream failed: an error event or answer, a cut before its terminator, or undecodable data.

    `status_code` is the status the provider reported for the error (in the event, else the HTTP one),
    None when it gave none; `provider_errors` its list of errors, if any.
    """

    data: object
    status_code: int | None
    provider_errors: list[object]

    def __init__(
        self,
        message: str,
        *,
        data: object = None,
        status_code: int | None = None,
        provider_errors: list[object] | None = None,
    ) -> None:
        super().__init__(message)
        self.data = scrubbed(data)
        self.status_code = status_code
        self.provider_errors = cast("list[object]", scrubbed(provider_errors or []))


class ResponseValidationError(SDKError):
    """A response body does not fit the type the SDK expected."""

    expected: str
    body: object

    def __init__(self, message: str, *, expected: str, body: object) -> None:
        super().__init__(message)
        self.expected = expected
        self.body = scrubbed(body)


def provider_errors_of(body: object, errors_key: str = "errors") -> list[object]:
    """Return the provider's list of errors from a decoded body, or an empty list."""
    if isinstance(body, dict):
        errors = cast("dict[str, object]", body).get(errors_key)
        if isinstance(errors, list):
            return cast("list[object]", errors)
    return []


def describe(body: object, provider_errors: list[object]) -> str:
    """Return a short human-readable reason from a provider's error body."""
    if provider_errors:
        return "; ".join(_describe_one(error) for error in provider_errors)
    if isinstance(body, dict):
        fields = cast("dict[str, object]", body)
        for key in ("error", "message", "detail", "msg"):
            value = fields.get(key)
            if value:
                return _describe_one(value)
    if isinstance(body, str):
        return _truncate(body.strip())
    return ""


def _describe_one(error: object) -> str:
    """Return one provider error as `code: message`, or its compact text."""
    if isinstance(error, str):
        return _truncate(error)
    if isinstance(error, dict):
        error = cast("dict[str, object]", error)
        message = error.get("message") or error.get("msg") or error.get("detail")
        code = error.get("code") or error.get("type")
        if message is not None:
            return _truncate(f"{code}: {message}" if code is not None else str(message))
    return _truncate(repr(error))


def _truncate(text: str) -> str:
    """Return `text` cut to a length fit for an exception message."""
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."


# What a model's document may declare a status to mean, beyond what the status means in HTTP:
# `status_errors` name these (Segmind answers 406 when the account has not enough credits).
_DECLARED_CLASSES: dict[str, type[APIStatusError]] = {"credits": InsufficientCreditsError}


def status_error(
    response: httpx.Response,
    body: object,
    provider_errors: list[object],
    *,
    secrets: Iterable[str] = (),
    status_errors: Mapping[int, str] | None = None,
) -> APIStatusError:
    """Return the exception for a non-2xx answer, its class chosen by status (or by what the model's
    document declares the status to mean, status_errors); `secrets` are scrubbed."""
    status = response.status_code
    # A declared meaning names a status HTTP leaves vague (402, 406), never one with a class of its
    # own: a page's "429: rate limit or out of credits" is still a RateLimitError.
    declared = (status_errors or {}).get(status) if status not in _STATUS_CLASSES and status < 500 else None
    if declared in _DECLARED_CLASSES:
        cls = _DECLARED_CLASSES[declared]
    elif status in _STATUS_CLASSES:
        cls = _STATUS_CLASSES[status]
    elif status >= 500:
        cls = InternalServerError
    else:
        cls = APIStatusError
    reason = describe(body, provider_errors)
    head = f"{status} {response.reason_phrase}".rstrip()
    message = scrub(f"{head}: {reason}" if reason else head, secrets)
    return cls(message, response=response, body=body, provider_errors=provider_errors)


def scrubbed(value: object) -> object:
    """value (a decoded body, the provider's errors) with no credential of this process's clients in
    any string or bytes of it, at any depth: what an error keeps beside its message."""
    secrets = known_secrets()
    return _scrubbed(value, secrets) if secrets else value


def _scrubbed(value: object, secrets: tuple[str, ...]) -> object:
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, bytes):
        return scrub_bytes(value, secrets)
    if isinstance(value, list | tuple):
        items = [_scrubbed(item, secrets) for item in cast("list[object]", value)]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        pairs = cast("dict[object, object]", value).items()
        return {_scrubbed(key, secrets): _scrubbed(item, secrets) for key, item in pairs}
    return value


def told(cause: BaseException) -> BaseException | None:
    """The cause to chain an SDK error to (`raise error from told(exc)`): None, which a traceback does
    not show, when the cause's own text holds a credential (a pydantic error quoting the answer, a
    transport error quoting a header)."""
    text = str(cause)
    return cause if scrub(text, known_secrets()) == text else None
