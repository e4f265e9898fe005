"""Name every class a model's schemas will produce, and note the rules pydantic cannot express.

The plan sets a `title` on a copy of each object schema so that datamodel-code-generator names
classes as we decide (`PromptRequest`, `Message`, `Usage`, never `Model1`), and records, per
class, which optional properties must not be null and which unions come from an exclusive
`oneOf` — the post-processor turns those notes into validators.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from generator.ingest.ecma_regex import python_patterns
from generator.ingest.jsonspans import pointer
from generator.ingest.keywords import declared_types, subschemas
from generator.ingest.refs import SCHEMA_MAPS, ref_through_refs, target_of
from generator.render.json_types import DATA_KEYS, json_types
from generator.render.names import RESERVED_NAMES, class_name, singular
from generator.render.schema_rules import class_rules, strip_runtime

JsonSchema = dict[str, Any]
COMBINATORS = ("oneOf", "anyOf")
READ_ROLES = frozenset({"Response", "StreamChunk"})


@dataclass
class ClassPlan:
    name: str
    not_null: list[str] = field(default_factory=list)  # optional properties that reject null


@dataclass
class TypePlan:
    """The schema to hand to the code generator, and what to do to its output."""

    schema: JsonSchema
    classes: dict[str, ClassPlan]
    one_of_groups: list[tuple[str, ...]]
    variants: dict[str, list[str]]  # root class -> its oneOf/anyOf variant classes
    rules: dict[str, JsonSchema] = field(default_factory=dict)  # class -> what it checks at run time


def _is_object_like(schema: JsonSchema, role: bool = False) -> bool:
    kind = schema.get("type")
    if isinstance(kind, list) and set(kind) - {"null"} == {"object"}:
        kind = "object"  # `[object, null]`: a class, which null may stand for
    # Inside a schema `properties: {}` names no field: the code generator writes a dict, as for no
    # `properties` (a class planned there it never wrote). A role's is its class, with no field.
    properties = schema.get("properties")
    has_fields = isinstance(properties, dict) and (role or bool(properties))
    return (kind == "object" and has_fields) or (kind is None and has_fields)


def allows_null(schema: Any, document: Any = None, seen: frozenset[str] = frozenset()) -> bool:
    """Whether null validates against schema (conservatively: True when unsure)."""
    if schema is True or schema == {}:
        return True
    if not isinstance(schema, dict):
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#") and document is not None and ref not in seen:
        target = target_of(document, ref)
        if target is not None and not allows_null(target, document, seen | {ref}):
            return False
    if "const" in schema:
        return schema["const"] is None
    if "enum" in schema:
        return None in (schema["enum"] or [])
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if "null" not in kinds:
            return False
    for keyword in COMBINATORS:
        branches = schema.get(keyword)
        if isinstance(branches, list) and branches:
            return any(allows_null(b, document, seen) for b in branches)
    return kind is not None or not any(k in schema for k in ("properties", "required"))


class _Namer:
    reading = False  # naming an answer's schema: its oneOf unions are not exclusive

    def __init__(self, reserved: frozenset[str] = frozenset(), roles: frozenset[str] = frozenset()) -> None:
        self.reserved = reserved  # names the module binds otherwise (imports): no class takes them
        # The roles' classes (`Request`, `Response`, ...): run() reads them by these names, so a
        # definition titled `Response` in the input schema is named otherwise, never the answer.
        self.roles = roles
        self.classes: dict[str, ClassPlan] = {}
        # An object's shape as written -> the first schema of that shape, once titled throughout.
        self.by_shape: dict[str, JsonSchema] = {}
        self.shared: dict[int, str] = {}  # id of a first schema -> the `$defs` key it moved to
        self.shared_keys: dict[str, str] = {}  # each `$ref` to a shared shape -> its `$defs` key
        self.referring: set[int] = set()  # ids of the first schemas of a shape, made `$ref`s to it
        self.one_of_groups: list[tuple[str, ...]] = []
        self.variants: dict[str, list[str]] = {}
        self.wanted: dict[str, str] = {}  # class name -> the name it wanted before disambiguation
        self.document: Any = None  # the combined document, for resolving local references

    def taken(self, name: str) -> bool:
        return name in self.classes or name in self.reserved or name in self.roles or name in RESERVED_NAMES

    def unique(self, wanted: str, parent: str) -> str:
        # class_name() writes a keyword's or builtin's name `Exception_`, and a name built on it
        # holds the `_` (`None_Integer`); the code generator drops each `_` (and writes `True1` for a
        # keyword): such a name is qualified like a taken one, its `_` dropped here.
        wanted = wanted.replace("_", "") or wanted
        name = wanted
        if self.taken(name):
            # Qualified by the parent's own name, not its qualified one: names stay short however deep.
            for prefix in dict.fromkeys(
                p.replace("_", "") for p in (self.wanted.get(parent, parent), parent)
            ):
                name = f"{prefix}{wanted}" if not wanted.startswith(prefix) else wanted
                if not self.taken(name):
                    break
        suffix = 2
        base = name
        while self.taken(name):
            name = f"{base}{suffix}"
            suffix += 1
        return name

    def visit(self, schema: Any, wanted: str, parent: str, parent_is_object: bool = False) -> None:
        if not isinstance(schema, dict):
            return
        schema.pop("title", None)
        if parent_is_object and "type" not in schema and "properties" in schema:
            schema["type"] = "object"  # a branch of an object schema: same meaning, clearer to codegen
        if _is_object_like(schema, role=self.document["$defs"].get(wanted) is schema):
            self._name_object(schema, wanted, parent)
            return
        self._visit_combinators(schema, wanted, parent, schema.get("type") == "object")
        self._visit_children(schema, wanted, parent)

    def _name_object(self, schema: JsonSchema, wanted: str, parent: str) -> None:
        shape = json.dumps(schema, sort_keys=True)
        # A role is its own class even when another role has its shape (a stream chunk like the
        # answer): what the two hold is still shared.
        is_role = any(schema is role for role in self.document["$defs"].values())
        if shape in self.by_shape and not is_role:
            self._share(self.by_shape[shape], schema)
            return
        name = wanted if is_role and wanted in self.roles else self.unique(wanted, parent)
        self.wanted[name] = wanted
        self.by_shape.setdefault(shape, schema)
        schema["title"] = name
        required = set(schema.get("required") or [])
        plan = ClassPlan(name)
        for prop, sub in schema["properties"].items():
            if prop not in required and not allows_null(sub, self.document):
                plan.not_null.append(prop)
        self.classes[name] = plan
        for prop, sub in schema["properties"].items():
            self.visit(sub, class_name(prop, "Field"), name)
        self._visit_combinators(schema, name, parent, True)
        self._visit_children(schema, name, parent, skip_properties=True)

    def _share(self, first: JsonSchema, again: JsonSchema) -> None:
        """Make a shape met twice ONE class: a `$defs` entry that each place references.

        A shared title alone is not enough: the code generator writes a class per place (the
        second `Tool1`, its nested objects untitled), which the plan, and so NOT_NULL, misses.
        first is fully titled by now (a shape never holds itself); the annotations a place gives
        its field (description, default, examples) stay beside its `$ref`.
        """
        defs = self.document["$defs"]
        roots = {id(schema): key for key, schema in defs.items()}
        key = roots.get(id(first)) or self.shared.get(id(first))
        if key is None:
            key = self.shared[id(first)] = f"_{first['title']}"  # behind `_`: no role's key
            defs[key] = dict(first)
            first.clear()
            first.update(_reference(defs[key], key))
            self.referring.add(id(first))
        self.shared_keys[f"#/$defs/{key}"] = key
        again.clear()
        again.update(_reference(defs[key], key))

    def _class_of(self, schema: JsonSchema) -> str | None:
        """The class a visited schema makes: its title, or that of the shared shape it references."""
        title = schema.get("title")
        if title is None and schema.get("$ref") in self.shared_keys:
            title = self.document["$defs"][self.shared_keys[schema["$ref"]]].get("title")
        return title if isinstance(title, str) else None

    def _visit_combinators(self, schema: JsonSchema, owner: str, parent: str, is_object: bool) -> None:
        for keyword in COMBINATORS:
            branches = schema.get(keyword)
            if not isinstance(branches, list):
                continue
            names = []
            exclusive = keyword == "oneOf" and _types_overlap(branches)
            # Named before any branch is visited: visiting replaces a branch's title with its class name.
            wanted_names = [
                _variant_name(b, branches, i) if isinstance(b, dict) else "" for i, b in enumerate(branches)
            ]
            for index, branch in enumerate(branches):
                if not isinstance(branch, dict):
                    continue
                if is_object and "type" not in branch and "properties" in branch:
                    branch["type"] = "object"
                wanted = wanted_names[index] + owner
                self.visit(branch, wanted, owner, is_object)
                title = self._class_of(branch)
                if exclusive and title is None:
                    # A named (root) class per branch, so the union can be checked as exactly-one.
                    title = branch["title"] = self.unique(wanted, owner)
                    self.classes[title] = ClassPlan(title)
                if title is not None:
                    names.append(title)
            if len(names) > 1:
                self.variants.setdefault(owner, names)
                if keyword == "oneOf" and not self.reading:
                    self.one_of_groups.append(tuple(names))

    def _visit_children(
        self, schema: JsonSchema, owner: str, parent: str, skip_properties: bool = False
    ) -> None:
        if not skip_properties and isinstance(schema.get("properties"), dict):
            for prop, sub in schema["properties"].items():
                self.visit(sub, class_name(prop, "Field"), owner)
        items = schema.get("items")
        item_name = class_name(singular(owner), "Item") if owner else "Item"
        if isinstance(items, dict):
            self.visit(items, item_name, parent)
        additional = schema.get("additionalProperties")
        if isinstance(additional, dict):
            self.visit(additional, f"{owner}Value", parent)
        for keyword in ("$defs", "definitions"):
            for key, sub in (schema.get(keyword) or {}).items():
                self.visit(sub, class_name(key, "Definition"), "")


FIELD_ANNOTATIONS = ("description", "default", "examples", "example")


def _reference(shared: JsonSchema, key: str) -> JsonSchema:
    """A `$ref` to `$defs/key`, with what the place itself says about its field."""
    kept = {k: copy.deepcopy(shared[k]) for k in FIELD_ANNOTATIONS if k in shared}
    return {"$ref": f"#/$defs/{key}", **kept}


def _types_overlap(branches: list[Any]) -> bool:
    """Whether one value could fit two branches by type alone (an integer is also a number)."""
    seen: set[str] = set()
    for branch in branches:
        kind = branch.get("type") if isinstance(branch, dict) else None
        if kind is None:
            return True  # untyped branch: it may accept anything
        kinds = set(kind if isinstance(kind, list) else [kind])
        if "number" in kinds:
            kinds.add("integer")
        if kinds & seen:
            return True
        seen |= kinds
    return False


def _variant_name(branch: JsonSchema, branches: list[Any], index: int) -> str:
    """A branch's own title, else the first required property no sibling requires."""
    title = branch.get("title")
    titles = [b.get("title") for b in branches if isinstance(b, dict)]
    if isinstance(title, str) and title.strip() and titles.count(title) == 1:
        return class_name(title, f"Variant{index + 1}")  # a title shared by branches names none of them
    others: set[str] = set()
    for position, sibling in enumerate(branches):
        if position != index and isinstance(sibling, dict):
            others.update(sibling.get("required") or [])
    for prop in branch.get("required") or []:
        if prop not in others:
            return class_name(str(prop), f"Variant{index + 1}")
    kind = branch.get("type")
    if isinstance(kind, str):
        return class_name(kind, f"Variant{index + 1}")
    return f"Variant{index + 1}"


def _rebase_refs(schema: Any, base: str, names: bool = False) -> Any:
    """Point each local `$ref` at the same place once the schema sits at `base` in a larger document.

    names: schema maps names to schemas (the value of `properties`): a property may be `default`."""
    if isinstance(schema, list):
        return [_rebase_refs(item, base) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if names:
        return {name: _rebase_refs(value, base) for name, value in schema.items()}
    # Values under `enum`, `const`, `default`... are data: a `$ref` key there is no reference.
    rebased = {
        key: value if key in DATA_KEYS else _rebase_refs(value, base, key in SCHEMA_MAPS)
        for key, value in schema.items()
    }
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        rebased["$ref"] = f"#{base}{ref[1:]}"
    return rebased


def _skip_aliases(document: JsonSchema, referring: set[int]) -> None:
    """A definition whose shape _share moved out (to a `$defs` key of the shape's, titled after the
    definition) goes, and refs to it, or into it, point at the shape.

    Left in, it is a `$ref` the code generator writes as a class wrapping the shape's, named like
    it, and the shape's own class is renamed `Alpha1` (generate stopped there). A later definition
    of the shape stays the class it was, `class Beta(Alpha)`: its callers' code keeps working.
    """
    nodes = [node for _, node in subschemas(document)]
    for node in nodes:
        if not isinstance(node.get("$ref"), str):
            continue
        # A ref into a schema _share left as a `$ref` (`#/$defs/Beta/properties/x`) points into the
        # shape's content instead: the path no longer exists where it was written.
        node["$ref"] = ref_through_refs(document, node["$ref"])
        target = target_of(document, node["$ref"])
        while isinstance(target, dict) and id(target) in referring:  # a shape's own key refers to none
            node["$ref"] = target["$ref"]
            target = target_of(document, node["$ref"])
    for node in nodes:
        for keyword in ("$defs", "definitions"):
            entries = node.get(keyword)
            if isinstance(entries, dict):
                for key in [k for k, sub in entries.items() if id(sub) in referring]:
                    del entries[key]


def _plain_defaults(document: JsonSchema) -> None:
    """Keep a default only where the field's Python type holds the JSON value as it is: a scalar,
    on a schema that is no class of its own (an object, an array, a definition, a `$ref` to one).

    `o: Options = {"a": 1}` would be a dict where the class promises an Options, and a type
    error. Such a field is optional without a default instead: a request leaves it out (the
    provider applies its own), an answer without it reads None. Defaults that do not fit their
    schema never get here (ingest drops them).
    """
    for where, node in list(subschemas(document)):
        value = node.get("default", None)
        if "default" not in node or (
            where.rsplit("/", 2)[-2:-1] not in (["$defs"], ["definitions"])
            and not isinstance(value, dict | list)
            and "$ref" not in node
            and not {"object", "array"} & declared_types(node)
            and not {"properties", "items", "prefixItems"} & node.keys()
        ):
            continue
        del node["default"]


def _drop_unused_definitions(schema: JsonSchema, base: str) -> None:
    """Definitions no `$ref` reaches (from the schema, or from a definition one reaches) go: the code
    generator writes no class for them, so rules planned for one had no class to go to (generate
    stopped), and nothing can send or receive them anyway. schema sits at base; its refs are rebased."""
    entries: dict[str, tuple[dict[str, Any], str]] = {}  # pointer -> (the map holding it, its key)
    for where, node in subschemas(schema, base):
        for keyword in ("$defs", "definitions"):
            held = node.get(keyword)
            if isinstance(held, dict):
                entries.update({where + pointer(keyword, key): (held, key) for key in held})
    if not entries:
        return

    def entry_of(place: str) -> str | None:
        """The innermost entry holding place (itself, if it is one): its path's prefixes, longest first."""
        while place:
            if place in entries:
                return place
            place = place.rpartition("/")[0]
        return None

    held_refs: dict[str | None, list[str]] = {}  # an entry (None: no entry) -> the refs inside it
    for where, node in subschemas(schema, base):
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            held_refs.setdefault(entry_of(where), []).append(unquote(node["$ref"][1:]))
    used: set[str] = set()
    pending = list(held_refs.get(None, []))  # refs outside every definition
    while pending:
        reached = entry_of(pending.pop())
        while reached is not None and reached not in used:  # an entry inside an entry: both are used
            used.add(reached)
            pending.extend(held_refs.get(reached, []))
            reached = entry_of(reached.rsplit("/", 2)[0])
    for entry in set(entries) - used:
        held, key = entries[entry]
        held.pop(key, None)


def plan_types(roles: dict[str, JsonSchema], reserved: frozenset[str] = frozenset()) -> TypePlan:
    """Plan one module holding a class (or union) per role, e.g. {'Request': ..., 'Response': ...}.

    reserved: names no class may take (what the module imports).
    """
    namer = _Namer(reserved, frozenset(roles))
    defs: dict[str, JsonSchema] = {}
    namer.document = {"$defs": defs}
    for role, schema in roles.items():
        # Answers are read with anyOf semantics: a provider's answer may fit several branches.
        namer.reading = role in READ_ROLES
        copied = _rebase_refs(copy.deepcopy(schema), f"/$defs/{role}")
        _drop_unused_definitions(copied, f"/$defs/{role}")
        defs[role] = copied
        if _is_object_like(copied, role=True):
            namer.visit(copied, role, "")
        else:
            copied.pop("title", None)
            namer.classes[role] = ClassPlan(role)
            namer.visit(copied, role, "")
            copied["title"] = role
    document = {"$defs": defs}
    _skip_aliases(document, namer.referring)
    _plain_defaults(document)
    python_patterns(document)  # the classes' patterns and the run-time rules' alike
    rules = class_rules(document, frozenset(namer.classes), target_of)
    strip_runtime(document, frozenset(namer.classes), target_of)
    return TypePlan(json_types(document), namer.classes, namer.one_of_groups, namer.variants, rules)
