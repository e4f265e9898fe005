"""Defaults, credentials from the environment, and URL paths that cannot escape their API."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import quote

from . import __version__
from ._sdk_error import SDKError

# The package's own name and version (a vendored copy's, under the name it was given).
USER_AGENT = f"{__name__.rpartition('.')[0]}/{__version__}"

# Compiled (and cached by `re`) by the first untyped call that checks an id: a typed call never does.
_MODEL_ID = r"^[A-Za-z0-9@_][A-Za-z0-9@._:+-]*(/[A-Za-z0-9@_][A-Za-z0-9@._:+-]*)*$"


class MissingCredentialsError(SDKError):
    """A credential was neither passed nor set in the environment."""


def require(value: str | None, env_var: str, what: str, argument: str) -> str:
    """The argument if given, else the environment variable; never empty."""
    found = value if value is not None else os.environ.get(env_var)
    if not found:
        raise MissingCredentialsError(f"no {what}: pass {argument}=... or set {env_var}")
    return found


def fill_path(template: str, params: Mapping[str, str]) -> str:
    """Fill `{name}` path parameters, each percent-encoded as one segment."""
    return template.format_map({name: quote(value, safe="") for name, value in params.items()})


def check_model_id(model_id: str) -> str:
    """Refuse ids that could act as anything but path segments (`..`, `?`, `#`, `//`, URLs)."""
    if not re.match(_MODEL_ID, model_id) or any(part in {".", ".."} for part in model_id.split("/")):
        raise ValueError(f"not a model id: {model_id!r}")
    return model_id


def model_path(template: str, model_id: str, params: Mapping[str, str]) -> str:
    """The API path for a model id given at run time."""
    encoded = "/".join(quote(part, safe="@:") for part in check_model_id(model_id).split("/"))
    return fill_path(template.replace("{model_id}", encoded), params)
