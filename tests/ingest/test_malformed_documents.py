"""Documents too big, too deep or cut short: a diagnostic with file and line, never a crash.

The inputs are generated here, into tmp_path, rather than committed: some are megabytes.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import time
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.diagnostics import Level
from generator.ingest.pipeline import IngestInputs, ingest
from generator.ingest.sources import MAX_DOCUMENT_BYTES, load_sources, read_document
from tests.conftest import PROVIDERS, SOURCES

FRONT_MATTER_SEED = SOURCES / "cloudflare" / "tinyllama-1.1b-chat-v1.0.md"
DOCS_PAGE_SEED = SOURCES / "cloudflare" / "deepseek-coder-6.7b-base-awq.txt"
DEEP = 10_000


def _ingest(
    tmp_path: Path, name: str, data: bytes, level: Level = Level.ERROR, folder: str = "cloudflare"
) -> list[str]:
    """folder: the provider whose folder the page is filed under, as a docs folder has it."""
    sources = tmp_path / "sources"
    (sources / folder).mkdir(parents=True, exist_ok=True)
    (sources / folder / name).write_bytes(data)
    result = ingest(IngestInputs(sources, PROVIDERS, tmp_path / "overlays"))
    return [d.render() for d in result.diagnostics if d.level >= level]


def _with_input_schema(schema_text: str) -> bytes:
    lines = FRONT_MATTER_SEED.read_text("utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("  input: "))
    lines[index] = f"  input: {json.dumps(schema_text)}\n"
    return "".join(lines).encode()


def test_a_50_mb_document_is_refused_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources" / "cloudflare"
    sources.mkdir(parents=True)
    with (sources / "huge.md").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk

    def refuse(self: Path) -> bytes:
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = ingest(IngestInputs(tmp_path / "sources", PROVIDERS, tmp_path / "overlays"))
    assert [d.render() for d in result.diagnostics] == [
        "sources/cloudflare/huge.md: error: 52428800 bytes is over the 4 MiB document limit"
    ]


def test_json_nested_10000_levels_in_a_front_matter_schema(tmp_path: Path) -> None:
    data = _with_input_schema('{"items":' * DEEP + "{}" + "}" * DEEP)
    assert _ingest(tmp_path, "deep.md", data) == [
        "sources/cloudflare/deep.md:23: error: `json_schema.input` is nested too deeply"
    ]


def test_json_nested_10000_levels_in_a_docs_page_schema_block(tmp_path: Path) -> None:
    lines = DOCS_PAGE_SEED.read_text("utf-8").splitlines(keepends=True)
    index = lines.index("API Schemas\n") + 2
    lines[index] = '{"a":' * DEEP + "{}" + "}" * DEEP + "\n"
    assert _ingest(tmp_path, "deep.txt", "".join(lines).encode()) == [
        f"sources/cloudflare/deep.txt:{index + 1}: error: API Schemas: the input schema is not JSON: "
        "JSON nested too deeply"
    ]


def test_json_nested_below_the_recursion_limit_is_still_bounded(tmp_path: Path) -> None:
    data = _with_input_schema('{"items":' * 500 + "{}" + "}" * 500)
    assert _ingest(tmp_path, "deep.md", data) == [
        "sources/cloudflare/deep.md:23: error: input_schema at "
        + "/items" * 33
        + ": nested deeper than 32 levels"
    ]


def test_yaml_nested_10000_levels(tmp_path: Path) -> None:
    data = b"---\nmodel:\n  name: " + b"[" * DEEP + b"]" * DEEP + b"\njson_schema: {}\n---\n"
    errors = _ingest(tmp_path, "deep.md", data)
    assert len(errors) == 1
    assert "nested" in errors[0]


@pytest.mark.parametrize("fraction", [0.25, 0.5, 0.9, 0.99])
def test_truncated_front_matter(tmp_path: Path, fraction: float) -> None:
    data = FRONT_MATTER_SEED.read_bytes()
    cut = data[: int(len(data) * fraction)]
    assert _ingest(tmp_path, "cut.md", cut) == [
        "sources/cloudflare/cut.md:1: error: front-matter has no closing `---` line"
    ]


# A Cloudflare JSON model page as published: its `schema` comes last, so most cuts leave none.
JSON_PAGE_SEED = (
    Path(__file__).parent.parent / "fixtures/catalogs/cloudflare/sources/cloudflare/chat-tiny.json"
)


@pytest.mark.parametrize("fraction", [0.02, 0.1, 0.3, 0.6, 0.95])
def test_a_json_page_cut_short_is_an_error_at_its_line(tmp_path: Path, fraction: float) -> None:
    """Whatever survives of the page, the model is not lost with a mere warning: exit 1, and where."""
    data = JSON_PAGE_SEED.read_bytes()
    cut = data[: int(len(data) * fraction)]
    errors = _ingest(tmp_path, "cut.json", cut, Level.WARNING)
    last_line = cut.decode("utf-8", "ignore").count("\n") + 1
    assert errors[0].startswith(f"sources/cloudflare/cut.json:{last_line}: error: not JSON: "), errors
    assert f"(line {last_line}, column " in errors[0]
    assert all("no extractor recognises" not in e for e in errors)


def test_a_json_listing_that_parses_is_still_a_note_not_an_error(tmp_path: Path) -> None:
    listing = json.dumps({"result": [{"name": "@cf/meta/llama-3-8b-instruct"}], "success": True})
    said = _ingest(tmp_path, "models.json", listing.encode(), Level.NOTE)
    assert [d for d in said if d.startswith("sources/cloudflare/models.json")] == [
        "sources/cloudflare/models.json: note: not a model page: a JSON listing (`result` holds 1 items), not one model; skipped"
    ]


@pytest.mark.parametrize("fraction", [0.05, 0.25, 0.5, 0.9])
def test_truncated_front_matter_closed_again(tmp_path: Path, fraction: float) -> None:
    data = FRONT_MATTER_SEED.read_bytes()
    errors = _ingest(tmp_path, "cut.md", data[: int(len(data) * fraction)] + b"\n---\n", Level.WARNING)
    assert errors, "a front-matter cut short must not ingest silently"
    whole_folder = "sources: error: no model entry came out of 1 document(s)"
    assert all(e.startswith("sources/cloudflare/cut.md") or e == whole_folder for e in errors)


def test_schema_string_that_is_not_json(tmp_path: Path) -> None:
    assert _ingest(tmp_path, "m.md", _with_input_schema("{'type': 'object'}")) == [
        "sources/cloudflare/m.md:23: error: `json_schema.input` is not JSON: Expecting property name "
        "enclosed in double quotes at line 1 column 2 of the string"
    ]


@pytest.mark.parametrize("data", [b"", b"\n \n", bytes(range(256)) * 64, b"\xff\xfe\xfd" * 100])
def test_empty_and_binary(tmp_path: Path, data: bytes) -> None:
    errors = _ingest(tmp_path, "x.md", data)
    assert len(errors) == 1
    assert errors[0].startswith("sources/cloudflare/x.md")


LONG = "9" * 5000  # past Python's 4300-digit limit on int(str)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "6144",
            LONG,
            "23: error: `json_schema.input`: Exceeds the limit (4300 digits) for integer string conversion: "
            "value has 5000 digits",
        ),
        (
            "weight: 0",
            f"weight: {LONG}",
            "20: error: front-matter: YAML does not load: Exceeds the limit (4300 digits) for integer string "
            "conversion: value has 5000 digits",
        ),
        (
            "6144",
            "1e999999",
            "23: error: input_schema at /oneOf/0/properties/prompt/maxLength: inf is not a finite number",
        ),
        (
            '\\"default\\": 256',
            '\\"default\\": NaN',
            "23: error: input_schema at /oneOf/0/properties/max_tokens/default: nan is not a finite number",
        ),
    ],
    ids=["json-integer-too-long", "yaml-integer-too-long", "json-infinity", "json-nan"],
)
def test_numbers_python_cannot_hold(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = FRONT_MATTER_SEED.read_text("utf-8").replace(old, new, 1)
    assert _ingest(tmp_path, "m.md", text.encode()) == [f"sources/cloudflare/m.md:{expected}"]


def test_a_docs_page_number_too_long(tmp_path: Path) -> None:
    lines = DOCS_PAGE_SEED.read_text("utf-8").splitlines(keepends=True)
    index = lines.index("API Schemas\n") + 2
    lines[index] = lines[index].replace("9999999999", LONG, 1)
    assert _ingest(tmp_path, "p.txt", "".join(lines).encode()) == [
        f"sources/cloudflare/p.txt:{index + 1}: error: API Schemas: the input schema is not JSON: "
        "Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits"
    ]


LAUGHS = "lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (LAUGHS, ":19: error: front-matter: YAML expands to more than 100000 values (aliases repeated?)"),
        (
            "layout: {? [a, b]: c}\n",
            ":19: error: front-matter: YAML does not load: while constructing a mapping found unhashable key",
        ),
        (
            "layout: !!timestamp 2020-13-45\n",
            ": error: front-matter: YAML does not load: month must be in 1..12",
        ),
        (
            "layout: !!python/object/apply:os.system ['touch cardgen_pwned']\n",
            ":19: error: front-matter: YAML does not load: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'",
        ),
    ],
    ids=["billion-laughs", "unhashable-key", "bad-timestamp", "python-tag"],
)
def test_yaml_that_parses_but_does_not_load(tmp_path: Path, new: str, expected: str) -> None:
    text = FRONT_MATTER_SEED.read_text("utf-8").replace('layout: "model"\n', new)
    assert _ingest(tmp_path, "m.md", text.encode()) == [f"sources/cloudflare/m.md{expected}"]
    assert not (tmp_path / "cardgen_pwned").exists()


@pytest.mark.parametrize(
    ("seed", "unit"),
    [
        ("dataoorts/deepseek-math-7b-instruct.md", "```python\n"),  # openers without a closer
        ("segmind/deepseek-r1.txt", "rolestr\nsome text\n"),  # an attribute per two lines
        ("cloudflare/deepseek-coder-6.7b-base-awq.txt", '-d \'{"a": [1,\n'),  # curl bodies that do not parse
    ],
    ids=["unclosed-fences", "many-attributes", "many-bad-curl-bodies"],
)
def test_repetitive_documents_near_the_size_limit_ingest_in_bounded_time(
    tmp_path: Path, seed: str, unit: str
) -> None:
    """Each of these took minutes when a loop rescanned the document from the top per match."""
    data = (SOURCES / seed).read_text("utf-8") + unit * (2_000_000 // len(unit))
    started = time.process_time()  # CPU time: a busy runner stretches the wall clock, not the work
    # Under the size limit, so read in full: the noise yields no error and the seed's model is kept.
    assert _ingest(tmp_path, Path(seed).name, data.encode(), folder=Path(seed).parent.name) == []
    assert time.process_time() - started < 10  # a hang guard (minutes before the fix), not a speed target


def test_an_unreadable_document_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = Path.open

    def open_except_locked(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "locked.md":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    sources = tmp_path / "sources" / "cloudflare"
    sources.mkdir(parents=True)
    (sources / "locked.md").write_bytes(FRONT_MATTER_SEED.read_bytes())
    monkeypatch.setattr(Path, "open", open_except_locked)
    result = ingest(IngestInputs(tmp_path / "sources", PROVIDERS, tmp_path / "overlays"))
    assert [d.render() for d in result.diagnostics] == [
        "sources/cloudflare/locked.md: error: cannot be read: Permission denied"
    ]


def test_a_document_that_grew_after_stat_is_read_no_further_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "grown.md"
    with path.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 10)
    monkeypatch.setattr(Path, "stat", lambda self, **kwargs: os.stat_result((0,) * 6 + (10, 0, 0, 0)))
    document, problem = read_document(path, PurePosixPath("sources/cloudflare/grown.md"))
    assert document is None
    assert problem is not None
    assert problem.render() == "sources/cloudflare/grown.md: error: over the 4 MiB document limit"


def test_a_document_that_grew_after_stat_within_the_limit_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "grown.md"
    text = "# grown\n" + "more text, written after stat looked\n" * 200
    path.write_text(text, "utf-8")
    monkeypatch.setattr(Path, "stat", lambda self, **kwargs: os.stat_result((0,) * 6 + (10, 0, 0, 0)))
    document, problem = read_document(path, PurePosixPath("sources/cloudflare/grown.md"))
    assert problem is None
    assert document is not None
    assert document.text == text


def test_the_sources_listing_is_what_rglob_lists(tmp_path: Path) -> None:
    """Every file below the folder, in hidden folders too, in path order; not hidden files, not
    symbolic links to files, not what is behind a link to a folder (as rglob, before scandir)."""
    sources = tmp_path / "sources"
    for name in ("a/x.md", "a/b/y.txt", "a-b/z.json", "a/.hidden.md", ".h/w.md", "top.md", "A/u.md"):
        (sources / name).parent.mkdir(parents=True, exist_ok=True)
        (sources / name).write_text(f"# {name}\n", "utf-8")
    (sources / "a" / "to-x.md").symlink_to(sources / "a" / "x.md")
    (sources / "linked").symlink_to(sources / "a", target_is_directory=True)
    os.mkfifo(sources / "a" / "fifo")
    expected = sorted(
        p for p in sources.rglob("*") if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
    )
    documents, diagnostics = load_sources(sources)
    assert diagnostics == []
    assert [d.name for d in documents] == [f"sources/{p.relative_to(sources).as_posix()}" for p in expected]
    assert "sources/a-b/z.json" in [d.name for d in documents]  # sorted as paths: a/... before a-b/...


def test_an_unreadable_folder_or_document_is_a_diagnostic_of_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cardgen ingest` names a folder it cannot list and a document it cannot read, and exits 1:
    no traceback, from the listing of its inputs either."""
    sources = tmp_path / "sources"
    (sources / "cloudflare").mkdir(parents=True)
    (sources / "cloudflare" / "tinyllama.md").write_bytes(FRONT_MATTER_SEED.read_bytes())
    (sources / "cloudflare" / "locked.md").write_bytes(FRONT_MATTER_SEED.read_bytes())
    (sources / "locked").mkdir()
    (sources / "locked" / "unseen.md").write_bytes(FRONT_MATTER_SEED.read_bytes())
    real_scandir, real_open = os.scandir, io.open

    def scandir(path: Any = ".") -> Any:  # the system refusing, as it would a user without rights
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def open_file(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith("locked.md"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(io, "open", open_file)
    monkeypatch.setattr(builtins, "open", open_file)
    args = [
        "ingest",
        "--sources",
        str(sources),
        "--providers",
        str(PROVIDERS),
        "--catalog",
        str(tmp_path / "catalog"),
    ]
    outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == 1, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.exception
    assert "sources/locked: error: folder cannot be read: Permission denied" in outcome.output
    assert "sources/cloudflare/locked.md: error: cannot be read: Permission denied" in outcome.output


def test_sources_that_are_missing_or_a_file_say_which(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# a page\n", "utf-8")
    for given, said in (
        (tmp_path / "nowhere", "does not exist"),
        (page, "is a file, not a folder of documents"),
    ):
        documents, [problem] = load_sources(given)
        assert documents == []
        assert (problem.level, problem.file, problem.message) == (
            Level.ERROR,
            str(given),
            f"sources directory {said}",
        )


def test_a_ref_through_a_dotted_property_name_is_refused_where_it_stands(tmp_path: Path) -> None:
    """The code generator read `a.b` in the ref as a module path: generate failed ("expected one
    module of code") on a catalog ingest had accepted."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"prompt": {"type": "string"}, "p": {"$ref": "#/$defs/A/properties/a.b"}},
        "$defs": {"A": {"type": "object", "properties": {"a.b": {"type": "string"}}}},
    }
    errors = _ingest(tmp_path, "dotted.md", _with_input_schema(json.dumps(schema)))
    assert [e.split(": error: ", 1)[1] for e in errors] == [
        "input_schema at /properties/p/$ref: `$ref` '#/$defs/A/properties/a.b' passes through a name with "
        "a dot; point it at a definition of its own instead (an overlay can)"
    ]
    schema["properties"]["p"] = {"$ref": "#/$defs/a.b"}  # a dotted definition: told once, as a name
    schema["$defs"] = {"a.b": {"type": "string"}}
    errors = _ingest(tmp_path, "dotted.md", _with_input_schema(json.dumps(schema)))
    assert [e.split(": error: ", 1)[1] for e in errors] == [
        "input_schema at /$defs/a.b: a definition name with a dot; rename it (an overlay can)"
    ]
