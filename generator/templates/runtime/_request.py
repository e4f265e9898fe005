"""What a typed call takes besides its inputs: exact keyword arguments, per-call options, request validation."""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping
from types import FunctionType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias, TypeVar, cast

import httpx
from pydantic import BaseModel, ValidationError

from ._sdk_error import SDKError

if TYPE_CHECKING:
    from typing import NotRequired, TypedDict

    class FieldError(TypedDict):
        """One of pydantic's field errors, as RequestValidationError keeps it: without the value passed."""

        type: str
        loc: tuple[int | str, ...]
        msg: str
        ctx: NotRequired[dict[str, Any]]

Timeout: TypeAlias = float | httpx.Timeout | None
"""Seconds (or an `httpx.Timeout`) for each attempt of a call; None waits for ever."""

_F = TypeVar("_F", bound=Callable[..., Any])


class Unset:
    """The option was not passed: the client's own setting applies."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = Unset()


class RequestOptions(NamedTuple):  # not a dataclass: building that class at import costs 7 times more
    """Options of one call, over the client's: timeout, retries, extra headers and query parameters."""

    timeout: Timeout | Unset = UNSET
    max_retries: int | Unset = UNSET
    headers: Mapping[str, str] | None = None
    query: Mapping[str, object] | None = None
    # The model's own meaning of a status, as its document declares it (`{406: "credits"}`).
    status_errors: Mapping[int, str] | None = None


NO_OPTIONS = RequestOptions()


def request_options(
    timeout: object,
    max_retries: object,
    extra_headers: Mapping[str, str] | None,
    extra_query: Mapping[str, object] | None,
    base: RequestOptions = NO_OPTIONS,
) -> RequestOptions:
    """Return the options of one call, over the model's own (base); NOT_GIVEN (any falsy sentinel
    but None) leaves the client's setting."""
    unset_timeout = _not_given(timeout)
    unset_retries = _not_given(max_retries)
    if unset_timeout and unset_retries and extra_headers is None and extra_query is None:
        return base
    if not unset_retries:
        check_max_retries(max_retries)
    if not unset_timeout:
        check_timeout(timeout)
    return RequestOptions(
        UNSET if unset_timeout else cast(Timeout, timeout),
        UNSET if unset_retries else cast(int, max_retries),
        extra_headers,
        extra_query,
        base.status_errors,
    )


def check_max_retries(max_retries: object) -> None:
    """Refuse what is not a count of retries (`"2"`, `2.5`, `True`, None), on the client as on a call."""
    if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
        raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")


def check_timeout(timeout: object) -> None:
    """Refuse at the call what httpx would take and fail on deep in a socket (`"5"`, say)."""
    if timeout is None or isinstance(timeout, httpx.Timeout):
        return
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 <= timeout < math.inf:
        raise ValueError(f"timeout must be seconds >= 0, an httpx.Timeout or None, got {timeout!r}")


def _not_given(value: object) -> bool:
    return isinstance(value, Unset) or type(value).__name__ == "NotGiven"


def omit(arguments: dict[str, Any], missing: object) -> dict[str, Any]:
    """Return the arguments that were passed: those that are not `missing` (NOT_GIVEN)."""
    return {name: value for name, value in arguments.items() if value is not missing}


class RequestValidationError(SDKError, ValueError):
    """The arguments of a call do not fit the model's input schema; nothing was sent.

    `errors` are pydantic's field errors (`type`, `loc`, `msg`, and `ctx` where the rule has one)
    for the input alternative the arguments chose, without the values passed. pydantic's own
    `ValidationError` is not chained: its text quotes every value passed (a prompt, a credential in
    `extra_body`), which a logged traceback would keep.
    """

    errors: list[FieldError]

    def __init__(self, message: str, errors: list[FieldError]) -> None:
        super().__init__(message)
        self.errors = errors


def checked_keywords(method: _F) -> _F:
    """Make a call with a keyword argument `method` does not take a TypeError naming its close matches."""
    # The names it takes by keyword, read from its code: inspect.signature() costs 50 times more, at import.
    code = cast(FunctionType, method).__code__
    names = frozenset(code.co_varnames[code.co_posonlyargcount : code.co_argcount + code.co_kwonlyargcount])
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
        validated = request.model_validate(params)
    except ValidationError as exc:
        listed = _tuples_as_lists(params)
        if listed is not params:  # a tuple where the signature says Sequence: JSON has one array
            return validate_request(request, listed, label, branches)
        from ._request_errors import chosen_errors, summary  # only a mistake loads them

        error = chosen_errors(exc, params, branches)
        errors = cast("list[FieldError]", error.errors(include_url=False, include_input=False))
        raise RequestValidationError(summary(label, error, params), errors) from None
    return validated.model_dump(mode="json", exclude_unset=True)


def _tuples_as_lists(value: object) -> object:
    """value with every tuple in it a list (strict classes take lists only); value itself if it has none.

    Only a refused input is walked: a call that validates at once pays nothing for it.
    """
    if isinstance(value, tuple):
        return [_tuples_as_lists(item) for item in cast("tuple[object, ...]", value)]
    if isinstance(value, list):
        items = cast("list[object]", value)
        listed = [_tuples_as_lists(item) for item in items]
        return items if all(a is b for a, b in zip(listed, items, strict=True)) else listed
    if isinstance(value, dict):
        mapping = cast("dict[object, object]", value)
        converted = {key: _tuples_as_lists(item) for key, item in mapping.items()}
        return mapping if all(converted[key] is item for key, item in mapping.items()) else converted
    return value
