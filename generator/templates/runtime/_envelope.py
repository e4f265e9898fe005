"""Wrap request bodies and unwrap response bodies in a provider's JSON envelope."""

from collections.abc import Iterable
from typing import NamedTuple, cast


class ResponseEnvelope(NamedTuple):  # not a dataclass: building that class at import costs 7 times more
    """Where a provider puts the result, the success flag, the errors and the messages in a response."""

    result_key: str | None = "result"
    success_key: str | None = "success"
    errors_key: str | None = "errors"
    messages_key: str | None = "messages"


def wrap_request(envelope: tuple[str, str] | None, model_id: str, body: object) -> object:
    """Return `body` wrapped as `{model_key: model_id, data_key: body}`, or unchanged without an envelope."""
    if envelope is None:
        return body
    model_key, data_key = envelope
    return {model_key: model_id, data_key: body}


def unwrap_response(
    envelope: ResponseEnvelope | None, body: object, *, secrets: Iterable[str] = ()
) -> object:
    """Return the result inside a decoded response; raise ProviderError when it reports failure."""
    if envelope is None:
        return body
    if not isinstance(body, dict):
        raise _not_an_envelope(f"expected a JSON object envelope, got {type(body).__name__}", body)
    body = cast("dict[str, object]", body)  # decoded JSON: its keys are strings
    if envelope.success_key is not None and body.get(envelope.success_key) is False:
        from ._exceptions import ProviderError, describe  # only a failure loads the error classes
        from ._redact import scrub

        errors = _list_at(body, envelope.errors_key)
        messages = _list_at(body, envelope.messages_key)
        reason = describe(body, errors) or "no reason given"
        raise ProviderError(
            scrub(f"provider reported failure: {reason}", secrets),
            provider_errors=errors,
            messages=messages,
            body=body,
        )
    if envelope.result_key is None:
        return body
    if envelope.result_key not in body:
        raise _not_an_envelope(f"response envelope has no {envelope.result_key!r} key", body)
    return body[envelope.result_key]


def _not_an_envelope(message: str, body: object) -> Exception:
    from ._exceptions import ResponseValidationError

    return ResponseValidationError(message, expected="envelope", body=body)


def _list_at(body: dict[str, object], key: str | None) -> list[object]:
    """Return the list under `key`, or an empty list when the key is unset, missing or not a list."""
    value = body.get(key) if key is not None else None
    return cast("list[object]", value) if isinstance(value, list) else []
