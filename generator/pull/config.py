"""Where and how `cardgen pull` reads a provider: the `pull:` section of its provider defaults.

The shipped defaults (`generator/ingest/provider_defaults/<name>.yaml`) say it; a project's
`providers/<name>.yaml` beside the sources overrides it key by key (`pull: {pages: [...]}` alone).

    pull:
      kind: cloudflare-api          # the account's models through Cloudflare's REST API
    pull:
      kind: pages                   # a list of pages, each stored as published
      pages:
        - url: https://example.com/docs/some-model/
          file: some-model.md       # optional: the URL's last segment, `.txt` added if it has no suffix
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml

from generator.catalog.model_ids import model_id_problem

KINDS = ("cloudflare-api", "pages")


class PullConfigError(ValueError):
    """A provider that cannot be pulled, and why."""


@dataclass(frozen=True)
class PageSpec:
    url: str
    file: str


@dataclass(frozen=True)
class PullConfig:
    provider: str
    kind: str
    base_url: str  # the API's, from `endpoint.base_url`
    token_env: str | None  # from `auth.env_var`
    account_env: str | None  # from `endpoint.path_params.account_id`
    pages: tuple[PageSpec, ...] = ()


def load_pull_config(provider: str, overrides: Path | None) -> PullConfig:
    """The provider's pull settings: shipped defaults, then the project's file, key by key."""
    data: dict[str, Any] = {}
    shipped = resources.files("generator.ingest").joinpath("provider_defaults", f"{provider}.yaml")
    if shipped.is_file():
        data = _merge(data, _load(shipped.read_text("utf-8"), f"cardgen:providers/{provider}.yaml"))
    override = overrides / f"{provider}.yaml" if overrides is not None else None
    if override is not None and override.is_file():
        data = _merge(data, _load(override.read_text("utf-8"), str(override)))
    if not data:
        raise PullConfigError(f"unknown provider {provider!r}: no provider defaults name it")
    pull = data.get("pull")
    if not isinstance(pull, dict) or pull.get("kind") not in KINDS:
        raise PullConfigError(
            f"{provider}: no `pull:` section with `kind: {' | '.join(KINDS)}` in its provider defaults"
        )
    endpoint, auth = data.get("endpoint") or {}, data.get("auth") or {}
    return PullConfig(
        provider=provider,
        kind=pull["kind"],
        base_url=str(pull.get("base_url") or endpoint.get("base_url") or ""),
        token_env=auth.get("env_var"),
        account_env=(endpoint.get("path_params") or {}).get("account_id"),
        pages=tuple(_page(provider, item) for item in pull.get("pages") or []),
    )


def safe_file_name(name: str) -> str | None:
    """name if it can be a file directly under the provider's folder, else None."""
    if not name or name.startswith(".") or "/" in name or "\\" in name or model_id_problem(name):
        return None
    return name


def _page(provider: str, item: Any) -> PageSpec:
    if isinstance(item, str):
        item = {"url": item}
    url = item.get("url") if isinstance(item, dict) else None
    if not isinstance(url, str) or urlsplit(url).scheme not in {"http", "https"}:
        raise PullConfigError(f"{provider}: pull.pages: {item!r} is not a page (`url: http(s)://...`)")
    file = item.get("file") or _file_of(url)
    if safe_file_name(str(file)) is None:
        raise PullConfigError(f"{provider}: pull.pages: {url}: {file!r} is not a safe file name")
    return PageSpec(url, str(file))


def _file_of(url: str) -> str:
    last = PurePosixPath(urlsplit(url).path.rstrip("/") or "/index").name or "index"
    return last if PurePosixPath(last).suffix else f"{last}.txt"


def _load(text: str, origin: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PullConfigError(f"{origin}: not YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PullConfigError(f"{origin}: not a mapping")
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Section by section, key by key: what the override gives replaces what the base had."""
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        merged[key] = {**old, **value} if isinstance(old, dict) and isinstance(value, dict) else value
    return merged
