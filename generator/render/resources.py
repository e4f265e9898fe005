"""Each model's resource modules, and the names they use: rendered for the model, and as a probe
that tells which argument and class names would shadow the module's own."""

from __future__ import annotations

import ast
from dataclasses import replace
from functools import lru_cache

from generator.lockfile import SIDE_FOLDERS
from generator.render.bindings import module_bindings, names_used
from generator.render.context import ModelView, provider_view
from generator.render.names import class_name
from generator.render.templates import header, render_template

PROBE = "cardgen_probe_"  # stand-in argument names; the template uses no name starting so
PROBE_SLUG = "cardgen_probe_model"  # the probe's stand-in slug and model id ...
PROBE_CLASS = class_name(PROBE_SLUG)  # ... and so its class name
# Each model's resource modules, by folder under resources/<provider>/ (as lockfile.owner_of knows
# them), and what the template renders there: the sync calls, the async ones, and the calls
# answering with raw responses, sync and async.
RESOURCE_MODULES: tuple[tuple[str, dict[str, bool]], ...] = tuple(
    zip(
        (".", *SIDE_FOLDERS["resources"]),
        (
            {"asynchronous": False, "wrapped": False},
            {"asynchronous": True, "wrapped": False},
            {"asynchronous": False, "wrapped": True},
            {"asynchronous": True, "wrapped": True},
        ),
        strict=True,
    )
)


def resource_modules(model: ModelView) -> tuple[str, ...]:
    """The model's resource modules, in RESOURCE_MODULES' order: sync, async and raw-response
    classes in modules of their own, so that a program compiles only those it uses (a plain sync
    call, the first module alone).

    The template gets a provider of this model alone (it reads the provider's name): the same text
    wherever the model is rendered (by the process that typed it, or by render() itself), and never
    depending on which other models the catalog holds.
    """
    provider = provider_view(model.entry.provider, [model])
    return tuple(
        render_template(
            "resource.py.jinja", header=header(model.source), provider=provider, model=model, **part
        )
        for _, part in RESOURCE_MODULES
    )


def resource_clashes(view: ModelView, share: bool = True) -> frozenset[str]:
    """Property arguments and type classes named like something the resource module uses itself.

    The model's modules (sync, async in `_async/`, raw responses in `_raw/` and `_async_raw/`)
    are rendered with stand-in argument names and read back: their imports, constants, classes and
    run()'s own arguments and locals are what they use, whatever the template says. The probe
    carries no description text (docstrings bind and use no name), and, where it can, a stand-in
    model id and class name: models of one structure then render one probe, read back once (see
    _probe_view). `share=False` renders the model's own probe: tests hold that both find the same
    names on every fixture catalog.
    """
    types = view.types
    params = {p.name for variant in types.variants for p in variant.params}
    probe, stand_in = _probe_view(view, share)
    provider = provider_view(view.entry.provider, [probe])
    clashes: set[str] = set()
    for _, part in RESOURCE_MODULES:  # the model's sync and async modules, and their raw-response ones
        # Every name any variant may import counts (all_imports): an argument named `Literal` is
        # renamed whether or not this model's module happens to need typing's Literal.
        code = render_template(
            "resource.py.jinja", header="", provider=provider, model=probe, all_imports=True, **part
        )
        used, own = _module_names(code)
        if stand_in:  # the model's own class names, where the probe has the stand-in's
            used = frozenset(name.replace(PROBE_CLASS, view.class_name) for name in used)
            own = frozenset(name.replace(PROBE_CLASS, view.class_name) for name in own)
        clashes |= (params & used) | (set(types.class_names) & own)
    return frozenset(clashes)


@lru_cache(maxsize=1024)
def _module_names(code: str) -> tuple[frozenset[str], frozenset[str]]:
    """What the probe's module uses (but the stand-in arguments), and what it binds at the top but
    by importing the model's types."""
    tree = ast.parse(code)
    own = ast.Module([node for node in tree.body if not _imports_types(node)], [])
    used = frozenset(name for name in names_used(tree) if not name.startswith(PROBE))
    return used, frozenset(module_bindings(own))


def _probe_view(view: ModelView, share: bool = True) -> tuple[ModelView, bool]:
    """The view with stand-in argument names and no description, help or display text; and whether
    it stands in PROBE_SLUG for the model's slug and model id.

    Description text reaches the module inside docstrings only, the model id inside strings, and
    the slug as the module's path and through its class name (`{class_name}`, `Async{class_name}`,
    ...): none changes which names the module uses but that class name, which the caller puts back
    for PROBE_CLASS. Not when PROBE_CLASS could come from anything else (the types, an upload
    argument) or the class name would read back otherwise (a non-ASCII name is NFKC-normalized).
    """
    types = view.types
    stand_ins = tuple(
        replace(
            variant,
            params=tuple(
                replace(p, name=f"{PROBE}{i}", doc="", default="", limits="")
                for i, p in enumerate(variant.params)
            ),
        )
        for variant in types.variants
    )
    entry = view.entry
    request = entry.request
    if request.raw_body is not None and request.raw_body.description:
        raw = request.raw_body.model_copy(update={"description": ""})
        request = request.model_copy(update={"raw_body": raw})
    update: dict[str, object] = {"description": "", "display_name": "", "request": request}
    stand_in = (
        share
        and view.class_name.isascii()
        and PROBE_CLASS not in types.code
        and PROBE_CLASS not in (view.upload_param or "")
    )
    if stand_in:
        update.update(slug=PROBE_SLUG, model_id=PROBE_SLUG)
    probe = ModelView(entry.model_copy(update=update), replace(types, variants=stand_ins), view.source)
    return probe, stand_in


def _imports_types(node: ast.stmt) -> bool:
    return isinstance(node, ast.ImportFrom) and (node.module or "").startswith("types.")
