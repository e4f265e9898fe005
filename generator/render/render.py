"""catalog -> every file of the SDK, as text; nothing here touches the disk."""

from __future__ import annotations

import keyword
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog, entry_path
from generator.lockfile import model_key
from generator.recordings import as_recordings
from generator.render.conformance import conformance_files
from generator.render.context import ModelView, ProviderView, RenderError, provider_view, safe_model_id
from generator.render.datamodel import CodegenError, codegen_runs, generate_models
from generator.render.imports import natural_order
from generator.render.model_types import SHADOWING_ROUNDS, ModelTypes, model_types, types_key
from generator.render.pool import map_grouped, processes_for
from generator.render.resources import RESOURCE_MODULES, resource_clashes, resource_modules
from generator.render.templates import environment, header, render_template
from generator.render.types_store import NotKept, Share, TypesStore
from generator.shipped import TEMPLATES

EXCEPTIONS = (
    "SDKError", "APIConnectionError", "APITimeoutError", "APIStatusError", "BadRequestError",
    "AuthenticationError", "PermissionDeniedError", "NotFoundError", "MethodNotAllowedError",
    "InsufficientCreditsError", "RequestTimeoutError", "ConflictError", "UnprocessableEntityError",
    "RateLimitError", "InternalServerError", "ProviderError", "StreamError", "ResponseValidationError",
)  # fmt: skip
STATIC_DIRECTORIES = ("runtime", "package")
RUNTIME_MODULE = "..._models"  # how a types module imports the runtime


@dataclass(frozen=True)
class RenderOptions:
    package: str = "modelsdk"
    catalog_label: str = "catalog/models"  # how file headers name the catalog
    version: str = "0.1.0"


@dataclass(frozen=True)
class TypedViews:
    """Every model's view, or the problems that stop some, and what making them took."""

    views: list[ModelView]  # in catalog order
    problems: list[str]  # one per model that cannot be rendered, in catalog order
    codegen_runs: int  # datamodel-code-generator runs of its jobs, in any process: identical schemas run once
    processes: int  # 1: typed here, one model after the other
    # By model (`<provider>/<slug>`), its resource modules (resource_modules()), where the process
    # that typed it rendered them too: on every core, instead of here after all are typed. Models
    # typed from the store's kept code, here, are not among them: render() renders theirs itself.
    modules: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _model_views(
    catalog: Catalog, options: RenderOptions, reused: Mapping[str, object], store: TypesStore | None
) -> TypedViews:
    typed = typed_views(catalog, options, reused, store=store)
    if typed.problems:
        raise RenderError("\n".join(typed.problems))
    return typed


def typed_views(
    catalog: Catalog,
    options: RenderOptions,
    reused: Mapping[str, object] | None = None,
    workers: int | None = None,
    store: TypesStore | None = None,
) -> TypedViews:
    """Each model's view, typed on every core when the catalog is large enough (see pool.py).

    workers: at most this many processes (None: as many as pay). Views and problems do not
    depend on it. store: typed code kept by earlier runs; what is made anew, and the keys each
    model took, join it (store.made, store.models).
    """
    slots: list[ModelView | str | None] = []  # a view, a problem, or a model still to type
    jobs: list[tuple[CatalogEntry, str]] = []
    for entry in catalog:
        source = f"{options.catalog_label}/{entry_path(entry)}"
        try:
            safe_model_id(entry.model_id, source)
        except RenderError as exc:
            slots.append(str(exc))
            continue
        if model_key(entry) in (reused or {}):
            slots.append(ModelView(entry, None, source))
            continue
        kept = _kept_view(entry, source, store)  # here: no process waited for, no code generator loaded
        slots.append(kept)
        if kept is None:
            jobs.append((entry, source))
    keys = [types_key(entry) for entry, _ in jobs]
    processes = processes_for(len(set(keys)), workers)
    done = iter(zip(jobs, map_grouped(partial(_typed_job, store=store), jobs, keys, processes), strict=True))
    runs = 0
    modules: dict[str, tuple[str, ...]] = {}
    for index, slot in enumerate(slots):
        if slot is None:
            (entry, source), (types, job_runs, share, job_modules) = next(done)
            slots[index] = types if isinstance(types, str) else ModelView(entry, types, source)
            runs += job_runs
            if job_modules is not None:
                modules[model_key(entry)] = job_modules
            if store is not None and share is not None:
                store.take(model_key(entry), share)  # a worker's store is its own copy
    views = [slot for slot in slots if isinstance(slot, ModelView)]
    return TypedViews(views, [slot for slot in slots if isinstance(slot, str)], runs, processes, modules)


def warm_up() -> None:
    """Load what typing a first model loads: the code generator's modules and the resource template.

    An array of objects: naming its item class loads the code generator's inflection engine
    (~10 ms), which a model typed later would otherwise wait for.
    """
    array_of_objects = {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}
    warm = {"title": "Warm", "type": "object", "properties": {"items": array_of_objects}}
    generate_models({"$defs": {"Warm": warm}})
    environment().get_template("resource.py.jinja")


def type_unless_kept(entry: CatalogEntry, store: TypesStore | None) -> None:
    """Type entry as typed_views will (its caches keep the code), unless store keeps its typed code:
    work sent ahead to the helper (render/ahead.py); what it makes is found there, not returned."""
    if _kept_view(entry, "", store) is None:  # a source names the model only in errors
        _typed_view(entry, "")


def _typed_job(
    job: tuple[CatalogEntry, str], store: TypesStore | None
) -> tuple[ModelTypes | str, int, Share | None, tuple[str, ...] | None]:
    """One model's types, or the message saying why it has none; the code generator runs it took;
    with a store (a worker's is its own copy), the typed code it made and the keys it took; and
    its resource modules."""
    entry, source = job
    before, mark = codegen_runs(), store.mark() if store is not None else (0, 0)
    modules = None
    try:
        view = _typed_view(entry, source, store)
        types: ModelTypes | str = view.types
        modules = resource_modules(view)
    except (RenderError, CodegenError) as exc:
        types = f"{source}: {exc}" if isinstance(exc, CodegenError) else str(exc)
    return types, codegen_runs() - before, store.since(mark) if store is not None else None, modules


def _kept_view(entry: CatalogEntry, source: str, store: TypesStore | None) -> ModelView | str | None:
    """The model's view (or why it has none) from typed code the store kept; None if it lacks some."""
    if store is None:
        return None
    mark = store.mark()
    try:
        view = _typed_view(entry, source, store, make=False)
    except NotKept:
        return None
    except RenderError as exc:
        return str(exc)
    store.take(model_key(entry), store.since(mark))
    store.typed_from_kept += 1
    return view


def _typed_view(
    entry: CatalogEntry, source: str, store: TypesStore | None = None, make: bool = True
) -> ModelView:
    """The model's view, its types renamed until no run() argument or class shadows the resource's names.

    make=False: typed code the store lacks is not made (NotKept)."""
    reserved: frozenset[str] = frozenset()
    for _ in range(SHADOWING_ROUNDS):
        view = ModelView(entry, model_types(entry, RUNTIME_MODULE, reserved, store, make), source)
        clashes = resource_clashes(view)
        if not clashes:
            return view
        reserved |= clashes
    raise RenderError(f"{source}: names still shadow the resource module's own: {sorted(clashes)}")


def render(
    catalog: Catalog,
    options: RenderOptions,
    recordings: Mapping[PurePosixPath, str] | None = None,
    reused: Mapping[str, object] | None = None,
    store: TypesStore | None = None,
) -> dict[PurePosixPath, str]:
    """Every file of the package and its tests, keyed by path under the output directory, but the
    files of reused models.

    recordings are cassettes captured with `cardgen record`, keyed `<provider>/<slug>/<name>.yaml`;
    reused names (`<provider>/<slug>`) the models that need no rendering again: their files stay.
    store: typed code kept by earlier runs (types_store.py).
    """
    reused = reused or {}
    if not options.package.isidentifier() or keyword.iskeyword(options.package):
        raise RenderError(f"package name {options.package!r} is not a Python identifier")
    if not len(catalog):
        raise RenderError("the catalog is empty: nothing to generate")
    grouped: dict[str, list[ModelView]] = defaultdict(list)
    typed = _model_views(catalog, options, reused, store)
    for view in typed.views:
        grouped[view.entry.provider].append(view)
    providers = [provider_view(name, grouped[name]) for name in sorted(grouped)]
    root = PurePosixPath(options.package)
    files: dict[PurePosixPath, str] = {}
    for provider in providers:
        files.update(_provider_files(root, provider, options, typed.modules))
    common = _common(providers, options)
    files.update(_package_files(root, common, options))
    packages = sorted({".".join((options.package, *p.parent.parts[1:])) for p in files if p.suffix == ".py"})
    files.update(
        conformance_files(
            providers, options.package, header(options.catalog_label)[2:], as_recordings(recordings)
        )
    )
    project = PurePosixPath("pyproject.toml")  # the output directory is the project root
    files[project] = render_template("pyproject.toml.jinja", packages=packages, **common)
    files[PurePosixPath("ruff.toml")] = render_template("ruff.toml.jinja", **common)
    files[PurePosixPath("MANIFEST.in")] = render_template("MANIFEST.in.jinja", **common)
    return dict(sorted(files.items()))


def _common(providers: list[ProviderView], options: RenderOptions) -> dict[str, object]:
    return {
        "package": options.package,
        "providers": providers,
        "model_count": sum(len(p.models) for p in providers),
        "version": options.version,
        "header_text": header(options.catalog_label).removeprefix("# "),
    }


def _module(source: str, docstring: str) -> str:
    return f'{header(source)}\n"""{docstring}"""\n'


def _provider_files(
    root: PurePosixPath,
    provider: ProviderView,
    options: RenderOptions,
    modules: Mapping[str, tuple[str, ...]],
) -> dict[PurePosixPath, str]:
    """modules: resource modules rendered already, by model (TypedViews.modules)."""
    name, label = provider.name, options.catalog_label
    files = {
        root / "providers" / f"{name}.py": render_template(
            "provider.py.jinja", header=header(label), provider=provider, asynchronous=False
        ),
        # Its own module, so that a program that never builds an async client never compiles it.
        root / "providers" / f"_async_{name}.py": render_template(
            "provider.py.jinja", header=header(label), provider=provider, asynchronous=True
        ),
        root / "types" / name / "__init__.py": _module(
            label, f"Request and response types of {provider.class_name}."
        ),
        root / "types" / name / "_dicts" / "__init__.py": _module(
            label, f"TypedDicts of {provider.class_name} models' inputs, each loaded when first used."
        ),
        root / "resources" / name / "__init__.py": _module(
            label, f"Clients of {provider.class_name} models."
        ),
        root / "resources" / name / "_async" / "__init__.py": _module(
            label, f"Async clients of {provider.class_name} models, loaded only by an async client."
        ),
        root / "resources" / name / "_raw" / "__init__.py": _module(
            label, f"Raw-response calls of {provider.class_name} models, loaded when first used."
        ),
        root / "resources" / name / "_async_raw" / "__init__.py": _module(
            label, f"Async raw-response calls of {provider.class_name} models, loaded when first used."
        ),
        root / "resources" / name / "_typed.py": render_template(
            "typed_models.py.jinja",
            header=header(label),
            provider=provider,
            package=options.package,
            imported=sorted(provider.models, key=lambda model: natural_order(model.slug)),
        ),
    }
    for model in provider.models:
        if not model.rendered:
            continue  # reused as it is
        docstring = f"Types of `{model.entry.model_id}`, from its input and output schemas."
        typed_dicts = model.types.typed_dicts
        reexport = typed_dicts.reexport(model.slug) if typed_dicts else ""
        files[root / "types" / name / f"{model.slug}.py"] = (
            f"{_module(model.source, docstring)}\n{model.types.code}{reexport}"
        )
        if typed_dicts:
            about = f"`{model.entry.model_id}`'s inputs as TypedDicts, for type checkers and callers who pass dicts."
            files[root / "types" / name / "_dicts" / f"{model.slug}.py"] = (
                f"{_module(model.source, about)}\n{typed_dicts.module(model.slug)}"
            )
        texts = modules.get(model_key(model.entry)) or resource_modules(model)
        for (folder, _), text in zip(RESOURCE_MODULES, texts, strict=True):
            files[root / "resources" / name / folder / f"{model.slug}.py"] = text
    return files


def _package_files(
    root: PurePosixPath, common: dict[str, object], options: RenderOptions
) -> dict[PurePosixPath, str]:
    label = options.catalog_label
    files = {
        root / "__init__.py": render_template(
            "package_init.py.jinja", header=header(label), exceptions=EXCEPTIONS, **common
        ),
        root / "py.typed": "",
        root / "README.md": render_template("README.md.jinja", **common),
        root / "providers" / "__init__.py": _module(label, "One client module per provider."),
        root / "types" / "__init__.py": _module(label, "Request and response types, one module per model."),
        root / "resources" / "__init__.py": _module(label, "Per-model clients, one module per model."),
    }
    for directory in STATIC_DIRECTORIES:
        for path in sorted((TEMPLATES / directory).glob("*.py")):
            files[root / path.name] = (
                f"{header(f'templates/{directory}/{path.name}')}\n{path.read_text('utf-8')}"
            )
    return files
