"""Bytes sent as a request's whole body (an image, an audio file, a form), and the inputs beside them."""

import json
import mimetypes
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import httpx

__all__ = ["OCTET_STREAM", "Upload", "query_params"]

OCTET_STREAM = "application/octet-stream"
FormText = str | int | float | bool
FormFile = bytes | tuple[str, bytes] | tuple[str, bytes, str]


@dataclass(frozen=True, slots=True)
class Upload:
    """Bytes and their media type, sent as the request body instead of JSON."""

    content: bytes
    content_type: str = OCTET_STREAM

    def __repr__(self) -> str:
        return f"Upload(<{len(self.content)} bytes>, content_type={self.content_type!r})"

    @classmethod
    def of(cls, value: "bytes | bytearray | Upload") -> "Upload":
        """`value` itself, or its bytes as `application/octet-stream`."""
        return value if isinstance(value, Upload) else cls(bytes(value))

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], content_type: str | None = None) -> "Upload":
        """A file's bytes; its media type is guessed from its name unless given."""
        guessed = content_type or mimetypes.guess_type(os.fspath(path))[0] or OCTET_STREAM
        return cls(Path(path).read_bytes(), guessed)

    @classmethod
    def form(
        cls, fields: Mapping[str, FormText] | None = None, files: Mapping[str, FormFile] | None = None
    ) -> "Upload":
        """A `multipart/form-data` body: text fields (numbers and booleans written as JSON) and files.

        A file is its bytes, or `(filename, bytes)`, or `(filename, bytes, media type)`.
        """
        parts: list[tuple[str, tuple[str | None, bytes | str] | tuple[str | None, bytes, str]]] = [
            (name, (None, value if isinstance(value, str) else json.dumps(value)))
            for name, value in (fields or {}).items()
        ]
        parts += [
            (name, value if isinstance(value, tuple) else (name, value))
            for name, value in (files or {}).items()
        ]
        if not parts:
            raise ValueError("a form needs at least one field or file")
        request = httpx.Request("POST", "http://form.invalid/", files=parts)
        return cls(request.read(), request.headers["content-type"])


def query_params(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """Inputs that travel beside a raw body: text as it is, anything else as JSON; a list repeats its key."""
    params: list[tuple[str, str]] = []
    for name, value in values.items():
        items: list[object] = cast("list[object]", value) if isinstance(value, list) and value else [value]
        params += [(name, item if isinstance(item, str) else _json(item)) for item in items]
    return params


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
