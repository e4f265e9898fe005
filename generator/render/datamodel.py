"""The one place that drives datamodel-code-generator: every option spelled out, version pinned."""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from functools import cache
from typing import Any

# Pinned in pyproject.toml with `==`: a different version writes different code.
BASE_CLASS_MARKER = "cardgen_marker_base.StrictModel"
ROOT_CLASS_MARKER = "CardgenUnusedRoot"
# The classes the code generator derives from: a schema class named like one of them it renames
# itself (`RootModel` -> `RootModelModel`), out of the plan's sight, so no planned class takes them.
BASE_CLASSES = frozenset({"BaseModel", "RootModel", BASE_CLASS_MARKER.rpartition(".")[2], ROOT_CLASS_MARKER})
# The class-like names the code generator may import into a module (its `Import` constants, this
# version's; a test reads them off it): once the module imports `Field` or `StrictStr`, a schema
# class of that name it renames itself (`FieldModel`), which the plan never named.
CODEGEN_IMPORTS = frozenset({
    "AliasChoices", "Annotated", "Any", "AnyUrl", "AwareDatetime", "Base64Bytes", "Base64Encoder",
    "Base64Str", "BaseModel", "ClassVar", "ConfigDict", "Date", "DateTime", "Decimal", "Dict",
    "Duration", "EmailStr", "EncodedBytes", "Enum", "Field", "FrozenSet", "FutureDate",
    "FutureDatetime", "IPv4Address", "IPv4Network", "IPv6Address", "IPv6Network", "IntEnum", "Iterator",
    "List", "Literal", "MISSING", "Mapping", "Meta", "MultipleOf", "NaiveDatetime", "NegativeFloat",
    "NegativeInt", "NonNegativeFloat", "NonNegativeInt", "NonPositiveFloat", "NonPositiveInt",
    "NotRequired", "Optional", "PastDate", "PastDatetime", "Path", "PositiveFloat", "PositiveInt",
    "ReadOnly", "Required", "RootModel", "SecretStr", "Sequence", "SerializeAsAny", "Set", "StrEnum",
    "StrictBool", "StrictBytes", "StrictFloat", "StrictInt", "StrictStr", "StringConstraints", "Struct",
    "SupportsIndex", "Time", "Tuple", "TypeAdapter", "TypeAlias", "TypeAliasType", "TypedDict", "ULID",
    "UNSET", "UUID", "UUID1", "UUID3", "UUID4", "UUID5", "Union", "UnsetType", "ValidationInfo",
    "ValidatorFunctionWrapHandler",
})  # fmt: skip

_OPTIONS: dict[str, Any] = {
    "base_class": BASE_CLASS_MARKER,
    "class_name": ROOT_CLASS_MARKER,
    "disable_timestamp": True,
    "formatters": [],  # ruff formats the whole tree once, as the last stage
    "strict_types": ["str", "int", "float", "bool", "bytes"],
    "strict_nullable": True,
    "field_constraints": True,
    "use_annotated": True,
    "use_standard_collections": True,
    "use_union_operator": True,
    "use_schema_description": True,
    "use_field_description": True,
    "use_title_as_name": True,
    "reuse_model": True,
    "keep_model_order": True,
    "enum_field_as_literal": "all",
    "allow_remote_refs": False,
    "aliases": {},  # see generate_models(renamed=...)
}


class CodegenError(Exception):
    """datamodel-code-generator refused a schema."""


_runs = [0]  # generate_models calls in this process


def codegen_runs() -> int:
    """How many times this process has run the code generator (caches make repeats free)."""
    return _runs[0]


@cache
def _generator() -> tuple[Any, dict[str, Any]]:
    """datamodel-code-generator's generate() and the options naming its own types: imported on
    first use (~0.2 s), in the process that types models (often a helper: see render/pool.py)."""
    from datamodel_code_generator import generate  # noqa: PLC0415
    from datamodel_code_generator.enums import DataModelType, InputFileType  # noqa: PLC0415
    from datamodel_code_generator.format import PythonVersion  # noqa: PLC0415

    return generate, {
        "input_file_type": InputFileType.JsonSchema,
        "output_model_type": DataModelType.PydanticV2BaseModel,
        "target_python_version": PythonVersion.PY_311,
    }


def generate_models(schema: dict[str, Any], renamed: Mapping[str, str] | None = None) -> str:
    """Python source for every titled schema in `schema['$defs']`.

    renamed maps further property names to the Python names their fields take (an alias keeps
    the property's own name on the wire).
    """
    _runs[0] += 1
    generate, types = _generator()
    options = {**types, **_OPTIONS, "aliases": dict(renamed or {})}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its deprecation notices are about options we set explicitly
        try:
            output = generate(json.dumps(schema), **options)
        except Exception as exc:  # it raises many kinds; all mean "this schema"
            raise CodegenError(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(output, str):
        raise CodegenError("expected one module of code")
    return output
