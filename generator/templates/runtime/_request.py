"""What a typed call takes besides its inputs: exact keyword arguments, per-call options, request validation."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Self, TypeAlias, TypeVar, cast

import httpx
from pydantic import BaseModel, ValidationError

from ._exceptions import SDKError

if TYPE_CHECKING:
    from datetime import timedelta
    from types import TracebackType

    from pydantic_core import ErrorDetails

Timeout: TypeAlias = float | httpx.Timeout | None
"""Seconds (or an `httpx.Timeout`) for each attempt of a call; None waits for ever."""

_F = TypeVar("_F", bound=Callable[..., Any])
_T = TypeVar("_T")
# Where providers put the id of a request, most specific first (Cloudflare answers with cf-ray).
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "cf-ray")


class _Unset:
    """The option was not passed: the client's own setting applies."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """Options of one call, over the client's: timeout, retries, extra headers and query parameters."""

    timeout: Timeout | _Unset = UNSET
    max_retries: int | _Unset = UNSET
    headers: Mapping[str, str] | None = None
    query: Mapping[str, object] | None = None


NO_OPTIONS = RequestOptions()


def request_options(
    timeout: object, max_retries: object, extra_headers: Mapping[str, str] | None, extra_query: Mapping[str, object] | None
) -> RequestOptions:
    """Return the options of one call; NOT_GIVEN (any falsy sentinel but None) leaves the client's setting."""
    unset_timeout = _not_given(timeout)
    unset_retries = _not_given(max_retries)
    if unset_timeout and unset_retries and extra_headers is None and extra_query is None:
        return NO_OPTIONS
    if not unset_retries and (not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0):
        raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
    return RequestOptions(
        UNSET if unset_timeout else cast(Timeout, timeout),
        UNSET if unset_retries else cast(int, max_retries),
        extra_headers,
        extra_query,
    )


def _not_given(value: object) -> bool:
    return isinstance(value, _Unset) or type(value).__name__ == "NotGiven"


def omit(arguments: dict[str, Any], missing: object) -> dict[str, Any]:
    """Return the arguments that were passed: those that are not `missing` (NOT_GIVEN)."""
    return {name: value for name, value in arguments.items() if value is not missing}


class RequestValidationError(SDKError, ValueError):
    """The arguments of a call do not fit the model's input schema; nothing was sent.

    `errors` are pydantic's field errors (without the values passed) for the input alternative the
    arguments chose; the pydantic `ValidationError` is the `__cause__`.
    """

    errors: list[ErrorDetails]

    def __init__(self, message: str, errors: list[ErrorDetails]) -> None:
        super().__init__(message)
        self.errors = errors


def checked_keywords(method: _F) -> _F:
    """Make a call with a keyword argument `method` does not take a TypeError naming its close matches."""
    signature = inspect.signature(method)
    names = frozenset(
        name
        for name, parameter in signature.parameters.items()
        if parameter.kind in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD)
    )
    qualname = method.__qualname__

    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def checked_async(*args: Any, **kwargs: Any) -> Any:
            if not names.issuperset(kwargs):
                from ._request_errors import unexpected_keywords  # only a mistake loads it

                raise unexpected_keywords(qualname, kwargs, names)
            return await method(*args, **kwargs)

        return cast(_F, checked_async)

    @functools.wraps(method)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not names.issuperset(kwargs):
            from ._request_errors import unexpected_keywords  # only a mistake loads it

            raise unexpected_keywords(qualname, kwargs, names)
        return method(*args, **kwargs)

    return cast(_F, checked)


def validate_request(
    request: type[BaseModel], params: Any, label: str, branches: tuple[type[BaseModel], ...] = ()
) -> Any:
    """Return the JSON body for `params` valid as `request`, only the fields set; else RequestValidationError.

    When the input is a `oneOf`, the errors reported are those of the branch whose required arguments
    were all passed (the one the caller chose), not of every branch.
    """
    try:
        return request.model_validate(params).model_dump(mode="json", exclude_unset=True)
    except ValidationError as exc:
        from ._request_errors import chosen_errors, summary  # only a mistake loads them

        error = chosen_errors(exc, params, branches)
        raise RequestValidationError(summary(label, error), error.errors(include_url=False, include_input=False)) from exc


class _ResponseInfo:
    """What any answer tells besides its body: status, headers, request id."""

    http_response: httpx.Response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The answer's headers, e.g. Segmind's `x-remaining-credits`."""
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The provider's id for this request, from the first of REQUEST_ID_HEADERS it sent."""
        for name in REQUEST_ID_HEADERS:
            value = self.http_response.headers.get(name)
            if value:
                return str(value)
        return None


class RawResponse(_ResponseInfo, Generic[_T]):
    """A 2xx answer as it came: status, headers, request id, elapsed time; `parse()` gives the typed answer."""

    def __init__(self, response: httpx.Response, parse: Callable[[httpx.Response], _T]) -> None:
        self.http_response = response
        self._parse = parse

    @property
    def elapsed(self) -> timedelta | None:
        """Time from sending the request to reading the answer; None when the transport did not say."""
        try:
            return self.http_response.elapsed
        except RuntimeError:  # an in-memory transport's answer that was never streamed
            return None

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def content(self) -> bytes:
        return self.http_response.content

    def parse(self) -> _T:
        """Return the typed answer, as `run()` would have (validated against the model's output schema)."""
        return self._parse(self.http_response)

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {self.request_id or ''}>".replace(" >", ">")


class StreamResponse(_ResponseInfo, Generic[_T]):
    """A started event stream: status, headers and request id at once; iterate it for the typed chunks.

    Use it in a `with` block (or call `close()`) so that the connection is released.
    """

    def __init__(self, response: httpx.Response, chunks: Iterator[_T]) -> None:
        self.http_response = response
        self._chunks = chunks

    def __iter__(self) -> Iterator[_T]:
        return self._chunks

    def close(self) -> None:
        """Stop reading and release the connection."""
        self.http_response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class AsyncStreamResponse(_ResponseInfo, Generic[_T]):
    """A started event stream, read with `async for`; use `async with` (or `aclose()`) to release it."""

    def __init__(self, response: httpx.Response, chunks: AsyncIterator[_T]) -> None:
        self.http_response = response
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[_T]:
        return self._chunks

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        await self.http_response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()
