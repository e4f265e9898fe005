"""Speak a provider's protocol as its catalog entries describe it: auth, envelopes, error format."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.catalog.entry import Auth, CatalogEntry, RequestEnvelope, ResponseEnvelope

# Models that cannot stream name no request flag; this is the conventional name clients send.
DEFAULT_STREAM_FLAG = "stream"


@dataclass(frozen=True)
class Detail:
    """One problem with a request, at a JSON path of the request body."""

    path: str
    message: str


class Problem(Exception):
    """An HTTP error to answer in the provider's error format."""

    def __init__(
        self,
        status: int,
        message: str,
        details: tuple[Detail, ...] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class Protocol:
    """What differs between providers, read from one entry's fields."""

    auth: Auth | None
    request_envelope: RequestEnvelope | None
    response_envelope: ResponseEnvelope | None

    @classmethod
    def of(cls, entry: CatalogEntry) -> Protocol:
        return cls(entry.auth, entry.request.envelope, entry.response.envelope)

    def auth_problem(self, headers: Mapping[str, str], token: str | None) -> str | None:
        """Say what is wrong with the request's credentials, or None when they pass."""
        if self.auth is None:
            return None
        value = headers.get(self.auth.header, "")
        if self.auth.scheme == "bearer":
            scheme, _, sent = value.partition(" ")
            if scheme.lower() != "bearer" or not sent.strip():
                return f"missing credentials: send `{self.auth.header}: Bearer <token>`"
        else:
            sent = value
            if not sent.strip():
                return f"missing credentials: send `{self.auth.header}: <key>`"
        if token is not None and not secrets.compare_digest(sent.strip().encode(), token.encode()):
            # Said to whoever runs the generated tests against `cardgen serve --token T` without T.
            return (
                "invalid credentials: the token is not the one this server (`cardgen serve --token`) "
                "accepts; the generated tests send $CARDGEN_CONFORMANCE_KEY"
            )
        return None

    def error_body(self, problem: Problem) -> dict[str, Any]:
        """Render a problem as the provider renders errors."""
        envelope = self.response_envelope
        if envelope is None:
            error: dict[str, Any] = {"status": problem.status, "message": problem.message}
            if problem.details:
                error["details"] = [{"path": d.path, "message": d.message} for d in problem.details]
            return {"error": error}
        errors = [
            {"code": problem.status, "message": f"{d.path}: {d.message}", "path": d.path}
            for d in problem.details
        ] or [{"code": problem.status, "message": problem.message}]
        body: dict[str, Any] = {
            envelope.result_key: None,
            envelope.success_key: False,
            envelope.errors_key: errors,
        }
        if envelope.messages_key:
            body[envelope.messages_key] = []
        return body

    def success_body(self, result: Any) -> Any:
        """Wrap a model's output in the provider's envelope, if it has one."""
        envelope = self.response_envelope
        if envelope is None:
            return result
        body: dict[str, Any] = {
            envelope.result_key: result,
            envelope.success_key: True,
            envelope.errors_key: [],
        }
        if envelope.messages_key:
            body[envelope.messages_key] = []
        return body

    def unwrap(self, body: Any) -> tuple[str | None, Any, str]:
        """Split a request body into (model id named in it, model input, JSON path of the input)."""
        envelope = self.request_envelope
        if envelope is None:
            return None, body, "$"
        if not isinstance(body, dict):
            raise Problem(
                400, f"the body must be a JSON object with `{envelope.model_key}` and `{envelope.data_key}`"
            )
        model_id = body.get(envelope.model_key)
        if not isinstance(model_id, str) or not model_id:
            raise Problem(400, f"the body must name the model in `{envelope.model_key}` (a string)")
        if envelope.data_key not in body:
            raise Problem(400, f"the body must carry the model input in `{envelope.data_key}`")
        return model_id, body[envelope.data_key], f"$.{envelope.data_key}"


PLAIN = Protocol(auth=None, request_envelope=None, response_envelope=None)
