"""Cloudflare Workers AI through its REST API: the account's models, then each model's schemas.

`GET {base}/client/v4/accounts/{account}/ai/models/search?page=N&per_page=M` lists the models
(pages until `result_info` says there are no more); `.../ai/models/schema?model=NAME` gives one
model's `{input, output}`. Each model becomes one document in Cloudflare's JSON format.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import httpx

from generator.catalog.model_ids import model_id_problem
from generator.pull.config import safe_file_name
from generator.pull.fetch import FetchError, get
from generator.pull.folder import Pulled
from generator.selection import name_selected, unmatched_names

PER_PAGE = 100
MAX_PAGES = 1000
# The order of Cloudflare's own documents; what is inside each key is kept as the API sends it
# (a schema's `properties` order is the order of the SDK's keyword arguments).
KEYS = ("id", "source", "name", "description", "task", "created_at", "tags", "properties", "schema")


class ListingError(Exception):
    """The model listing itself could not be read: nothing can be said about any model."""


def pull_cloudflare(
    client: httpx.Client,
    base: str,
    account: str,
    folder: Path,
    patterns: tuple[str, ...],
    progress: Callable[[str], None],
) -> Pulled:
    api = f"{base.rstrip('/')}/client/v4/accounts/{account}/ai/models"
    upstream = list_models(client, api)
    listed = [item for item in upstream if name_selected((str(item.get("name")),), patterns)]
    existing = documents_in(folder)
    pages = pages_in(folder, existing.values())
    pulled = Pulled()
    taken = {path.name: "" for path in folder.iterdir()} if folder.is_dir() else {}
    for index, item in enumerate(sorted(listed, key=lambda i: str(i.get("name"))), start=1):
        name = str(item.get("name"))
        problem = model_id_problem(name)
        if problem is None and name in pages and name not in existing:
            # A second document of the model would be two pages claiming it, which ingest refuses:
            # the page a maintainer keeps stays the model's document, as it is.
            pulled.held[name] = pages[name]
            progress(f"[{index}/{len(listed)}] {name}: kept as {pages[name]}")
            continue
        file = existing.get(name) or _new_file(name, taken)
        if problem is None and file is not None:
            try:
                schema = _result(get(client, f"{api}/schema", {"model": name}))
            except FetchError as exc:
                problem = str(exc)
        if problem is not None or file is None:
            problem = problem or "no free, safe file name for it"
            pulled.failed[name] = problem
            progress(f"[{index}/{len(listed)}] {name}: FAILED: {problem}")
            continue
        taken[file] = name
        pulled.documents[name] = (file, render_document(item, schema))
        progress(f"[{index}/{len(listed)}] {name}")
    names = {str(item.get("name")) for item in listed}
    in_folder = {**pages, **existing}  # every document of a model, in whichever format
    pulled.gone = {n: f for n, f in in_folder.items() if name_selected((n,), patterns) and n not in names}
    known = {str(item.get("name")) for item in upstream} | set(in_folder)
    pulled.unmatched = unmatched_names(((name,) for name in known), patterns)
    return pulled


def list_models(client: httpx.Client, api: str) -> list[dict[str, Any]]:
    """Every page of the listing, in order."""
    models: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        try:
            response = get(client, f"{api}/search", {"page": page, "per_page": PER_PAGE})
            items = _result(response)
        except FetchError as exc:
            raise ListingError(f"cannot list the models: {exc}") from exc
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("name") for i in items):
            raise ListingError(f"cannot list the models: page {page} is not a list of named models")
        models.extend(items)
        if _last_page(page, len(items), len(models), response.json().get("result_info")):
            break
    unique = {str(item["name"]): item for item in models}  # a listing that shifted while paging
    return list(unique.values())


def _last_page(page: int, count: int, seen: int, info: Any) -> bool:
    """By `result_info.total_pages`, else `total_count`, else a short page."""
    info = info if isinstance(info, dict) else {}
    total_pages, total_count = info.get("total_pages"), info.get("total_count")
    if count == 0:
        return True
    if isinstance(total_pages, int):
        return page >= total_pages
    if isinstance(total_count, int):
        return seen >= total_count
    return count < PER_PAGE


def render_document(item: dict[str, Any], schema: Any) -> str:
    """One model as Cloudflare's JSON format: fixed key order, 4 spaces, a final newline; every
    number as the API wrote it (`0.000053`, not Python's `5.3e-05`: a price is kept exact)."""
    document = {key: item[key] for key in KEYS if key in item and key != "schema"}
    document.update({key: value for key, value in item.items() if key not in KEYS})
    document["schema"] = schema
    return _json_text(document, 0) + "\n"


class Written(float):
    """A JSON number read from the API, with the text it was written as."""

    text: str

    def __new__(cls, text: str) -> Written:
        number = super().__new__(cls, text)
        number.text = text
        return number


def _json_text(value: Any, level: int) -> str:
    """json.dumps(value, indent=4, ensure_ascii=False), but a Written number as it was written."""
    if isinstance(value, Written):
        return value.text
    inner, outer = " " * 4 * (level + 1), " " * 4 * level
    if isinstance(value, dict) and value:
        items = (
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_json_text(v, level + 1)}"
            for k, v in value.items()
        )
        return "{\n" + ",\n".join(items) + f"\n{outer}}}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(f"{inner}{_json_text(v, level + 1)}" for v in value) + f"\n{outer}]"
    return json.dumps(value, ensure_ascii=False)


def documents_in(folder: Path) -> dict[str, str]:
    """The Cloudflare JSON documents already in folder: model id -> file name."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        schema = data.get("schema") if isinstance(data, dict) else None
        if isinstance(schema, dict) and isinstance(data.get("name"), str):
            found.setdefault(data["name"], path.name)
    return found


def pages_in(folder: Path, skipped: Iterable[str] = ()) -> dict[str, str]:
    """The model pages in folder in the other formats ingest reads (front matter, docs pages...),
    less the files skipped: model id -> file name, as ingest reads the id."""
    from generator.ingest.build import extract_document  # noqa: PLC0415 - ingest's readers, only here
    from generator.ingest.sources import read_document  # noqa: PLC0415

    found: dict[str, str] = {}
    leave = set(skipped)
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.name in leave or path.name.startswith(".") or not path.is_file():
            continue
        document, _ = read_document(path, PurePosixPath("sources", folder.name, path.name))
        extraction = extract_document(document)[0] if document is not None else None
        fact = extraction.facts.get("model_id") if extraction is not None else None
        if fact is not None and isinstance(fact.value, str):
            found.setdefault(fact.value, path.name)
    return found


def _result(response: httpx.Response) -> Any:
    try:
        body = json.loads(response.text, parse_float=Written)  # numbers kept as written
    except ValueError as exc:
        raise FetchError(f"GET {response.url}: the answer is not JSON") from exc
    if not isinstance(body, dict) or body.get("success") is False or "result" not in body:
        raise FetchError(f"GET {response.url}: no `result` in the answer: {str(body)[:200]}")
    return body["result"]


def _new_file(name: str, taken: dict[str, str]) -> str | None:
    """`@cf/meta/llama-3` -> `llama-3.json`; `cf--meta--llama-3.json` when another model has that."""
    for candidate in (name.rsplit("/", 1)[-1], name.replace("@", "").replace("/", "--")):
        file = safe_file_name(f"{candidate}.json")
        if file is not None and file not in taken:
            return file
    return None
