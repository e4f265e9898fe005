"""The catalog as providers publish it, for `cardgen pull` to read from a served catalog.

- `GET /client/v4/accounts/{account_id}/ai/models/search?page=&per_page=`: Cloudflare's model
  listing, paginated the v4 way (`result_info` with `page`, `per_page`, `count`, `total_count`,
  `total_pages`);
- `GET /client/v4/accounts/{account_id}/ai/models/schema?model=NAME`: one model's schemas;
- `GET /__cardgen/pages` and `GET /__cardgen/pages/{provider}/{file}`: each entry's source
  document, byte for byte, when the catalog's `sources/` is at hand and unchanged since ingest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from generator.backend import published
from generator.backend.answers import encode
from generator.backend.protocols import Problem, Protocol
from generator.catalog.entry import Auth, CatalogEntry, ResponseEnvelope
from generator.catalog.store import Catalog

CLOUDFLARE_MODELS = "/client/v4/accounts/{account_id}/ai/models"
PAGES = "/__cardgen/pages"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 1000
_CLOUDFLARE = Protocol(
    Auth(scheme="bearer", header="Authorization", env_var="CLOUDFLARE_AUTH_TOKEN"),
    None,
    ResponseEnvelope(
        result_key="result", success_key="success", errors_key="errors", messages_key="messages"
    ),
)
_MEDIA = {".md": "text/markdown", ".html": "text/html", ".htm": "text/html", ".json": "application/json"}


@dataclass(frozen=True)
class Page:
    provider: str
    model_id: str
    name: str
    body: bytes


class CatalogApi:
    """Listing, schema and page routes over one catalog."""

    def __init__(self, catalog: Catalog, root: Path | None, token: str | None) -> None:
        self.cloudflare = {e.model_id: e for e in catalog.of_provider("cloudflare")}
        self.token = token
        self.pages = {(p.provider, p.name): p for p in _pages(catalog, root)}

    def routes(self) -> list[Route]:
        return [
            Route(f"{CLOUDFLARE_MODELS}/search", self._search, methods=["GET"]),
            Route(f"{CLOUDFLARE_MODELS}/schema", self._schema, methods=["GET"]),
            Route(PAGES, self._page_list, methods=["GET"]),
            Route(PAGES + "/{provider}/{name}", self._page, methods=["GET"]),
        ]

    async def _search(self, request: Request) -> Response:
        try:
            self._authorize(request)
            page = _positive(request, "page", 1)
            per_page = min(_positive(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
        except Problem as problem:
            return _error(problem)
        entries = [self.cloudflare[name] for name in sorted(self.cloudflare)]
        chunk = entries[(page - 1) * per_page : page * per_page]
        body = _CLOUDFLARE.success_body([published.search_item(e) for e in chunk])
        body["result_info"] = {
            "page": page,
            "per_page": per_page,
            "count": len(chunk),
            "total_count": len(entries),
            "total_pages": -(-len(entries) // per_page),
        }
        return _json(body)

    async def _schema(self, request: Request) -> Response:
        try:
            self._authorize(request)
            name = request.query_params.get("model", "")
            entry = self.cloudflare.get(name)
            if entry is None:
                raise Problem(404, f"unknown model {name!r}")
            return _json(_CLOUDFLARE.success_body(_schema_of(entry)))
        except Problem as problem:
            return _error(problem)

    async def _page_list(self, request: Request) -> Response:
        listed = [
            {"provider": p.provider, "model_id": p.model_id, "path": f"{PAGES}/{p.provider}/{p.name}"}
            for p in self.pages.values()
        ]
        return JSONResponse(listed)

    async def _page(self, request: Request) -> Response:
        page = self.pages.get((request.path_params["provider"], request.path_params["name"]))
        if page is None:
            return JSONResponse({"error": {"status": 404, "message": "no such page"}}, status_code=404)
        media = _MEDIA.get(PurePosixPath(page.name).suffix.lower(), "text/plain")
        return Response(page.body, media_type=f"{media}; charset=utf-8")

    def _authorize(self, request: Request) -> None:
        why = _CLOUDFLARE.auth_problem(request.headers, self.token)
        if why is not None:
            raise Problem(401, why)


def _schema_of(entry: CatalogEntry) -> dict[str, Any]:
    try:
        return published.schema_of(entry)
    except Exception as exc:  # a model that cannot be published is that model's 500, not the server's
        raise Problem(500, f"{entry.model_id!r}: {exc}") from exc


def _pages(catalog: Catalog, root: Path | None) -> list[Page]:
    """Every entry's source document that is still the one it was ingested from."""
    if root is None:
        return []
    pages = []
    for entry in catalog:
        source = entry.provenance.source
        path = root / source.path
        try:
            body = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(body).hexdigest() == source.sha256:
            pages.append(Page(entry.provider, entry.model_id, path.name, body))
    return pages


def _positive(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < 1:
        raise Problem(400, f"`{name}` must be a whole number from 1, not {text!r}")
    return int(text)


def _json(body: Any) -> Response:
    return Response(encode(body), media_type="application/json")


def _error(problem: Problem) -> Response:
    return Response(
        encode(_CLOUDFLARE.error_body(problem)), status_code=problem.status, media_type="application/json"
    )
