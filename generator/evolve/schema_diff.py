"""Walk two JSON Schemas side by side and classify every difference for the request or the response.

Each node is compared keyword family by keyword family (type, null, enum/const, bounds, lengths,
properties/required, additionalProperties, items, oneOf/anyOf); keywords no family claims are
reported as unclassified constraints, never silently dropped. `$ref` is compared as text.
"""

from __future__ import annotations

from typing import Any

from generator.evolve.changes import Change
from generator.evolve.rules import Event, Side, rule_for
from generator.evolve.schema_facts import (
    COMBINATORS,
    JsonSchema,
    as_schema,
    bound,
    branch_list,
    canonical,
    constants,
    contrast,
    covers,
    is_number,
    join,
    kinds,
    label,
    mapping,
    match_branches,
    nullable,
    short,
    show_bound,
)

LENGTHS = (
    ("minLength", "maxLength", "length"),
    ("minItems", "maxItems", "items"),
    ("minProperties", "maxProperties", "properties"),
)
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
STRUCTURAL = frozenset(
    {"type", "format", "properties", "required", "items", "additionalProperties", "enum", "const"}
    | set(COMBINATORS)
    | set(BOUNDS)
    | {keyword for family in LENGTHS for keyword in family[:2]}
)
ANNOTATIONS = frozenset(
    {"examples", "example", "$comment", "deprecated", "readOnly", "writeOnly", "contentType"}
    | {"contentMediaType", "contentEncoding", "$schema", "$id"}
)


class _Walker:
    def __init__(self, side: Side) -> None:
        self.side = side
        self.changes: list[Change] = []

    def emit(self, event: Event, path: str, old: Any, new: Any, message: str) -> None:
        self.changes.append(Change(rule_for(self.side, event).id, path, old, new, message))

    def node(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        if canonical(old) == canonical(new):
            return
        if not self._types(old, new, path):
            return  # unrelated types: what lies below them is not comparable
        self._nullability(old, new, path)
        self._enum(old, new, path)
        for lower in (True, False):
            self._bounds(old, new, path, lower)
        self._lengths(old, new, path)
        self._properties(old, new, path)
        self._additional(old, new, path)
        self._items(old, new, path)
        for keyword in COMBINATORS:
            self._branches(old, new, path, keyword)
        self._keywords(old, new, path)

    def _types(self, old: JsonSchema, new: JsonSchema, path: str) -> bool:
        """Compare types and formats; False when they are unrelated and the children not worth walking."""
        if old.get("format") != new.get("format"):
            self.emit(
                "type-changed",
                join(path, "format"),
                old.get("format"),
                new.get("format"),
                f"format {short(old.get('format'))} -> {short(new.get('format'))}",
            )
        was, now = kinds(old), kinds(new)
        if was == now:
            return True
        event: Event
        if was is None or now is None:
            event = "type-narrowed" if was is None else "type-widened"
        elif covers(now, was) and covers(was, now):
            return True
        elif covers(now, was):
            event = "type-widened"
        elif covers(was, now):
            event = "type-narrowed"
        else:
            event = "type-changed"
        shown = [sorted(k) if k is not None else "any" for k in (was, now)]
        message = f"type {short(shown[0])} -> {short(shown[1])}"
        self.emit(event, join(path, "type"), old.get("type"), new.get("type"), message)
        return event != "type-changed"

    def _nullability(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        was, now = nullable(old), nullable(new)
        if was is None or now is None or was == now:
            return
        if now:
            self.emit("became-nullable", path, False, True, "may now be null")
        else:
            self.emit("no-longer-nullable", path, True, False, "may no longer be null")

    def _enum(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        was, now = constants(old), constants(new)
        if was == now or (was is not None and now is not None and was.keys() == now.keys()):
            return
        keyword = "const" if "const" in (new if now is not None else old) else "enum"
        where = join(path, keyword)
        shown_old = None if was is None else list(was.values())
        shown_new = None if now is None else list(now.values())
        if now is None:
            self.emit("enum-added", where, shown_old, None, "no longer restricted to listed values")
            return
        if was is None:
            self.emit("enum-removed", where, None, shown_new, f"now restricted to {short(shown_new)}")
            return
        removed = [v for k, v in was.items() if k not in now]
        added = [v for k, v in now.items() if k not in was]
        if removed:
            self.emit("enum-removed", where, shown_old, shown_new, f"value(s) {short(removed)} removed")
        if added:
            self.emit("enum-added", where, shown_old, shown_new, f"value(s) {short(added)} added")

    def _bounds(self, old: JsonSchema, new: JsonSchema, path: str, lower: bool) -> None:
        was, now = bound(old, lower), bound(new, lower)
        if (was and was[:2]) == (now and now[:2]):
            return
        if was is None or now is None:
            narrowed = was is None
        elif lower:
            narrowed = (now[0], now[1]) > (was[0], was[1])
        else:
            narrowed = (now[0], not now[1]) < (was[0], not was[1])
        keyword = (now or was or (0, False, ""))[2]
        name = "lower" if lower else "upper"
        self.emit(
            "range-narrowed" if narrowed else "range-widened",
            join(path, keyword),
            was and was[0],
            now and now[0],
            f"{name} bound {show_bound(was, lower)} -> {show_bound(now, lower)}",
        )

    def _lengths(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        for low, high, noun in LENGTHS:
            for keyword, is_min in ((low, True), (high, False)):
                was, now = old.get(keyword), new.get(keyword)
                if was == now or not all(v is None or is_number(v) for v in (was, now)):
                    continue
                if is_min and (was or 0) == (now or 0):
                    continue
                narrowed = (
                    (now or 0) > (was or 0) if is_min else was is None or (now is not None and now < was)
                )
                label = f"{'minimum' if is_min else 'maximum'} {noun}"
                self.emit(
                    "length-narrowed" if narrowed else "length-widened",
                    join(path, keyword),
                    was,
                    now,
                    f"{label} {contrast(was, now)}",
                )

    def _properties(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        was, now = mapping(old.get("properties")), mapping(new.get("properties"))
        was_required = {r for r in old.get("required") or [] if isinstance(r, str)}
        now_required = {r for r in new.get("required") or [] if isinstance(r, str)}
        names = list(was) + [n for n in now if n not in was]
        names += sorted((was_required | now_required) - set(names))
        for name in names:
            where = join(join(path, "properties"), name)
            if name in was and name not in now:
                self.emit("property-removed", where, was[name], None, f"property `{name}` removed")
                continue
            if name in now and name not in was:
                required = name in now_required
                event: Event = "property-added-required" if required else "property-added-optional"
                kind = "required" if required else "optional"
                self.emit(event, where, None, now[name], f"new {kind} property `{name}`")
                continue
            if name in was:
                self.node(as_schema(was[name]), as_schema(now[name]), where)
            if (name in was_required) != (name in now_required):
                if name in now_required:
                    self.emit("became-required", where, False, True, f"`{name}` is now required")
                else:
                    self.emit("became-optional", where, True, False, f"`{name}` is no longer required")

    def _additional(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        was, now = old.get("additionalProperties", True), new.get("additionalProperties", True)
        where = join(path, "additionalProperties")
        if was is not False and now is False:
            self.emit("additional-forbidden", where, was, now, "keys beyond the properties now rejected")
        elif was is False and now is not False:
            self.emit("additional-allowed", where, was, now, "keys beyond the properties now accepted")
        elif canonical(was) != canonical(now):
            self.node(as_schema(was), as_schema(now), where)

    def _items(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        was, now = old.get("items"), new.get("items")
        if canonical(was) == canonical(now):
            return
        if isinstance(was, list) or isinstance(now, list):
            self.emit("constraint-changed", join(path, "items"), was, now, "tuple items changed")
            return
        self.node(as_schema(was), as_schema(now), join(path, "items"))

    def _branches(self, old: JsonSchema, new: JsonSchema, path: str, keyword: str) -> None:
        was, now = branch_list(old, keyword), branch_list(new, keyword)
        pairs, removed, added = match_branches(was, now)
        for (_, before), (index, after) in pairs:
            self.node(before, after, join(join(path, keyword), index))
        for index, branch in removed:
            where = join(join(path, keyword), index)
            self.emit("branch-removed", where, branch, None, f"alternative {label(branch)} removed")
        for index, branch in added:
            where = join(join(path, keyword), index)
            self.emit("branch-added", where, None, branch, f"new alternative {label(branch)}")

    def _keywords(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        for key in sorted(set(old) | set(new)):
            if key in STRUCTURAL:
                continue
            if key in old and key in new and canonical(old[key]) == canonical(new[key]):
                continue
            event: Event = "constraint-changed"
            if key == "default":
                event = "default-changed"
            elif key in ("description", "title"):
                event = "description-changed"
            elif key in ANNOTATIONS:
                event = "annotation-changed"
            was, now = old.get(key), new.get(key)
            self.emit(event, join(path, key), was, now, f"{key} {contrast(was, now)}")


def diff_schema(old: Any, new: Any, side: Side, path: str) -> list[Change]:
    """Every classified difference between two schemas, as seen by callers on one side."""
    walker = _Walker(side)
    walker.node(as_schema(old), as_schema(new), path)
    return walker.changes
