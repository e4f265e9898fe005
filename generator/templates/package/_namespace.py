"""`client.models`: a model's client module is imported the first time its name is used.

A provider module lists its models' names, one short line each, and nothing else per model: what
a model's client is and where it calls are in the model's own module (`resources/<provider>/<model>.py`,
and `resources/<provider>/_async/<model>.py` for an async client). Type checkers and IDEs read
each provider's `resources/<provider>/_typed.py` instead, which declares every model's client type.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from ._config import fill_path

ClientT = TypeVar("ClientT")


class ModelNamespace(Generic[ClientT]):
    """Each catalog model of one provider as an attribute, its client built on first use.

    Type checkers see the subclasses in `resources/<provider>/_typed.py`, one declared attribute
    per model and no `__getattr__`, so a misspelt model is an error there as it is here.
    """

    def __init__(
        self, client: ClientT, path_params: Mapping[str, str], package: str, names: frozenset[str], kind: str
    ) -> None:
        self._client = client
        self._path_params = path_params
        self._package = package  # the provider's resources package, one module per model
        self._names = names
        self._kind = kind  # which client: `CLIENT`, or `ASYNC_CLIENT` from the model's module in `_async`

    def __dir__(self) -> list[str]:
        """The models, and the dunders; not this namespace's own state (`_client`...)."""
        own = (name for name in super().__dir__() if name.startswith("__") or not name.startswith("_"))
        return sorted({*own, *self._names})

    def __repr__(self) -> str:
        count = len(self._names)
        return f"<{count} model{'' if count == 1 else 's'} of {self._package.rpartition('.')[2]}>"


class LazyModels(ModelNamespace[ClientT]):
    """The run-time `client.models`: a model's module is imported the first time its name is used."""

    def __getattr__(self, name: str) -> Any:
        # Only reached for a name not yet resolved: a resolved one is an instance attribute.
        if name.startswith("_"):  # never a model; and `copy` asks before __init__ has run
            raise AttributeError(name)
        if name not in self._names:
            raise AttributeError(_unknown(name, self._names, self._package))
        # A model's async classes are a module of their own, which a sync program never compiles.
        folder = "._async" if self._kind == "ASYNC_CLIENT" else ""
        module = importlib.import_module(f"{self._package}{folder}.{name}")
        resource = getattr(module, self._kind)(self._client, fill_path(module.PATH, self._path_params))
        setattr(self, name, resource)
        return resource


def _unknown(name: str, names: frozenset[str], package: str) -> str:
    import difflib  # only an unknown name pays for it

    message = f"no model {name!r} in {package.rpartition('.')[2]}'s catalog"
    ordered = sorted(names)
    # Close spellings first; else the models whose name holds it (`tinyllama` for `tinyllama_1_1b_chat`),
    # else whose name begins with a close spelling of it (`tinylama` for `tinyllama_1_1b_chat`).
    matches = (
        difflib.get_close_matches(name, ordered, n=3)
        or [n for n in ordered if name.lower() in n][:3]
        or [
            n
            for n in ordered
            if difflib.SequenceMatcher(None, name.lower(), n[: len(name) + 1]).ratio() >= 0.8
        ][:3]
    )
    return f"{message} (did you mean {' or '.join(repr(m) for m in matches)}?)" if matches else message
