"""Which models `--model` globs name, the same for every command that takes them.

`--model` may be given again and again: a model any of the globs names is chosen. A glob that
names nothing is a usage error of its own, so that a typo beside a glob that matches is not a
silently smaller run (a CI job that stays green while a provider goes untested).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])

EVERY_MODEL = ("*",)


def models_option(help_text: str) -> Callable[[F], F]:
    """`--model GLOB`, repeatable, as the `patterns` tuple (every model when not given)."""
    return click.option(
        "--model",
        "patterns",
        multiple=True,
        default=EVERY_MODEL,
        show_default=True,
        metavar="GLOB",
        help=f"{help_text} Give --model again for more globs: a model any of them matches is chosen.",
    )


def model_matches(provider: str, slug: str, pattern: str) -> bool:
    """pattern is a glob over `<provider>/<slug>` (`cloudflare/*`), or over the slug alone (`llama*`)."""
    return fnmatch.fnmatchcase(f"{provider}/{slug}", pattern) or fnmatch.fnmatchcase(slug, pattern)


def model_selected(provider: str, slug: str, patterns: Iterable[str]) -> bool:
    """Any of the globs names the model."""
    return any(model_matches(provider, slug, pattern) for pattern in patterns)


def name_selected(names: Iterable[str], patterns: Iterable[str]) -> bool:
    """Any of the globs matches any of the names one thing goes by (a model id; a page's file or URL)."""
    names = tuple(names)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


def unmatched_models(models: Iterable[tuple[str, str]], patterns: Iterable[str]) -> list[str]:
    """The globs that name none of the (provider, slug) models, in the order given."""
    models = tuple(models)
    return [
        p
        for p in dict.fromkeys(patterns)
        if not any(model_matches(provider, slug, p) for provider, slug in models)
    ]


def unmatched_names(things: Iterable[Iterable[str]], patterns: Iterable[str]) -> list[str]:
    """The globs that match none of the things, each known by one or more names, in the order given."""
    named = [tuple(names) for names in things]
    return [p for p in dict.fromkeys(patterns) if not any(name_selected(names, (p,)) for names in named)]


def quoted(patterns: Iterable[str]) -> str:
    """Globs for a message: 'a*', 'b*'."""
    return ", ".join(repr(pattern) for pattern in patterns)


def no_model_matches(where: Path, unmatched: list[str]) -> click.BadParameter:
    """The usage error of globs that name no model in where (a catalog, the generated tests)."""
    which = quoted(unmatched) if len(unmatched) == 1 else f"any of {quoted(unmatched)}"
    return click.BadParameter(
        f"no model in {where} matches {which} (models are `<provider>/<slug>`, or the slug alone; "
        "`cardgen catalog` lists them)",
        param_hint="--model",
    )
