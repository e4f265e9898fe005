"""`python -m tests.bench_comparator MODELS`: datamodel-code-generator alone on a catalog's schemas.

The comparator for generation speed: its in-process `generate()` with its default formatters
(black, isort), on every schema cardgen renders types from (each entry's input, output and stream
chunk schema), one call per schema. Prints one JSON object: seconds (the calls only, imports and
YAML reading excluded), models, schemas and failures (schemas it refused; their time counts).
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def catalog_schemas(models: Path) -> tuple[int, list[dict[str, Any]]]:
    """The number of entries under `models` and their schemas."""
    entries = [yaml.load(path.read_text("utf-8"), Loader) for path in sorted(models.glob("*/*.yaml"))]
    schemas = []
    for entry in entries:
        schemas += [entry["input_schema"], entry["output_schema"]]
        chunk = (entry.get("streaming") or {}).get("chunk_schema")
        if chunk:
            schemas.append(chunk)
    return len(entries), schemas


def main(models: Path) -> dict[str, Any]:
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType

    count, schemas = catalog_schemas(models)
    failures = 0
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for schema in schemas:
            try:
                generate(
                    json.dumps(schema),
                    input_file_type=InputFileType.JsonSchema,
                    output_model_type=DataModelType.PydanticV2BaseModel,
                )
            except Exception:  # a refused schema is counted, not fatal
                failures += 1
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "models": count, "schemas": len(schemas), "failures": failures}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
