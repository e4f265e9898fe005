"""A docs folder as published: every document is an entry, a note or a diagnostic, each on its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from generator.cli import cli
from generator.diagnostics import Level
from generator.ingest.pipeline import IngestInputs, ingest
from tests.conftest import FIXTURES, REPO

CATALOGS = FIXTURES / "catalogs"
TASKS = FIXTURES / "tasks" / "sources" / "cloudflare"

# Pages of real docs folders that describe no model, and the reason each is skipped for.
NON_MODEL_PAGES = {
    "cloudflare/index.md": "a navigation page",
    "cloudflare/get-started.md": "a get-started page",
    "cloudflare/text-generation-overview.md": "a concept page",
    "cloudflare/models.json": "a JSON listing (`result` holds 2 items)",
    "cloudflare/tasks.json": "a JSON list of 2 items",
    "dataoorts/index.md": "a section index",
    "dataoorts/text-generation.md": "a section index",
    "dataoorts/getting-started.md": "titled 'Getting Started'",
    "segmind/models.txt": "requests 2 different models",
}


def _cardgen(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _project(tmp_path: Path, *documents: Path) -> Path:
    """A sources folder holding copies of documents, each under sources/<its folder's name>/."""
    for document in documents:
        target = tmp_path / "sources" / document.parent.name / document.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(document, target)
    return tmp_path / "sources"


@pytest.mark.parametrize("page", sorted(NON_MODEL_PAGES))
def test_a_page_that_is_no_model_page_is_skipped_with_a_note(page: str, tmp_path: Path) -> None:
    provider, name = page.split("/")
    sources = _project(tmp_path, CATALOGS / provider / "sources" / provider / name, TASKS / "whisper.md")
    result = ingest(IngestInputs.beside(sources))
    shown = [d for d in result.diagnostics if d.level >= Level.NOTE and "whisper" not in d.file]
    assert [(d.file, d.level) for d in shown] == [(f"sources/{page}", Level.NOTE)], shown
    assert NON_MODEL_PAGES[page] in shown[0].message
    assert shown[0].message.startswith("not a model page: ")
    assert [e.model_id for e in result.catalog] == ["@cf/openai/whisper"]


def test_a_page_its_extractor_finds_no_model_in_is_skipped_with_a_note(tmp_path: Path) -> None:
    """The Dataoorts reader takes any page naming dataoorts.com; a billing page states no model."""
    page = tmp_path / "dataoorts" / "billing.md"
    page.parent.mkdir()
    page.write_text(
        "---\nlayout: page\ntitle: Billing\n---\n\n# Billing\n\n"
        "Top up credits at https://cloud.dataoorts.com/billing; each call is charged per token.\n",
        "utf-8",
    )
    result = ingest(IngestInputs.beside(_project(tmp_path / "p", page, TASKS / "whisper.md")))
    shown = [d.render() for d in result.diagnostics if d.level >= Level.NOTE and "whisper" not in d.file]
    assert shown == [
        "sources/dataoorts/billing.md: note: not a model page: it states no task and no schema; skipped"
    ]
    page.write_text(page.read_text("utf-8") + "\n## API Schemas\n", "utf-8")
    result = ingest(IngestInputs.beside(_project(tmp_path / "q", page, TASKS / "whisper.md")))
    levels = {d.level for d in result.diagnostics if "billing" in d.file}
    assert Level.NOTE not in levels, "a page with a schema heading is read as a model page"


def test_a_document_no_extractor_recognises_is_a_note_naming_it(tmp_path: Path) -> None:
    odd = tmp_path / "odd" / "frob.txt"
    odd.parent.mkdir()
    odd.write_text("Frobnicator 3000\n\nSays nothing about what it is.\n", "utf-8")
    result = ingest(IngestInputs.beside(_project(tmp_path / "p", odd, TASKS / "whisper.md")))
    shown = [d.render() for d in result.diagnostics if d.level >= Level.NOTE and "whisper" not in d.file]
    assert shown == [
        "sources/odd/frob.txt: note: not a model page: no format cardgen reads, and no schema; skipped"
    ]
    assert len(result.catalog) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Frobnicator 3000\n\njson_schema: {}\n",  # a schema sign
        'curl https://api.example.test/ai/run/@cf/acme/frob-3000 -d \'{"prompt": "hi"}\'\n',  # one model asked for
        "# Frob\n\n| Model Name | acme/frob-3000 |\n|---|---|\n| Model Type | Translation |\n",  # a model-info table
    ],
)
def test_a_model_page_in_no_known_format_is_an_error_not_a_skip(tmp_path: Path, text: str) -> None:
    """Every document an entry, a note or an error: a page that shows a model is not passed over."""
    odd = tmp_path / "odd" / "frob.txt"
    odd.parent.mkdir()
    odd.write_text(text, "utf-8")
    result = ingest(IngestInputs.beside(_project(tmp_path / "p", odd, TASKS / "whisper.md")))
    shown = [d.render() for d in result.diagnostics if "frob" in d.file]
    assert shown == [
        "sources/odd/frob.txt: error: shows what a model page shows (a schema, a request for one model, or a "
        "model-info table naming one) but in no format cardgen reads (cut short?): its model would be lost; mend "
        "it, write it in one of the formats the README lists, or move it out of the sources"
    ]


def test_a_dataoorts_page_cut_short_after_its_model_table_is_an_error(tmp_path: Path) -> None:
    """What is left names one model and its task, but not the host the Dataoorts reader knows it by."""
    page = CATALOGS / "dataoorts" / "sources" / "dataoorts" / "m2m100-1.2b.md"
    sources = _project(tmp_path, page, TASKS / "whisper.md")
    cut = sources / "dataoorts" / page.name
    text = cut.read_text("utf-8")
    cut.write_text(text[: text.index("| Model Cost(Output)")], "utf-8")
    assert "| Model Name                | meta/m2m100-1.2b " in cut.read_text("utf-8")
    result = ingest(IngestInputs.beside(sources))
    shown = [(d.level, d.message) for d in result.diagnostics if d.file == "sources/dataoorts/m2m100-1.2b.md"]
    assert [level for level, _ in shown] == [Level.ERROR], shown
    assert "model-info table naming one) but in no format cardgen reads (cut short?)" in shown[0][1]


@pytest.mark.parametrize(
    "text",
    [
        "# Translation\n\n| Model Name | Model Type |\n|---|---|\n| meta/m2m100-1.2b | Translation |\n"
        "| acme/frob-3000 | Translation |\n",
        # No heading, two columns: its header's second cell is one word, as a model id would be.
        "| Model Name | Provider |\n|---|---|\n| meta/m2m100-1.2b | Meta |\n| acme/frob-3000 | Acme |\n",
    ],
)
def test_a_listing_table_of_models_names_no_one_model(tmp_path: Path, text: str) -> None:
    """A listing's header row has `Model Name` first too; its other cells name columns, not a model."""
    listing = tmp_path / "odd" / "all.md"
    listing.parent.mkdir()
    listing.write_text(text, "utf-8")
    result = ingest(IngestInputs.beside(_project(tmp_path / "p", listing, TASKS / "whisper.md")))
    shown = [d.render() for d in result.diagnostics if "all.md" in d.file]
    assert shown == [
        "sources/odd/all.md: note: not a model page: no format cardgen reads, and no schema; skipped"
    ]


def test_every_bad_page_is_reported_in_one_run(tmp_path: Path) -> None:
    sources = _project(tmp_path, *sorted(TASKS.glob("*.md")))
    for name, cut in (("melotts.md", 200), ("resnet-50.md", 300)):
        page = sources / "cloudflare" / name
        text = page.read_text("utf-8")
        page.write_text(text.replace("json_schema:", "json_schema: [\n", 1)[: len(text) - cut], "utf-8")
    result = ingest(IngestInputs.beside(sources))
    failed = {d.file for d in result.diagnostics if d.level is Level.ERROR}
    assert failed == {"sources/cloudflare/melotts.md", "sources/cloudflare/resnet-50.md"}
    assert len(result.catalog) == len(list(TASKS.glob("*.md"))) - 2


def test_a_folder_that_yields_no_entry_fails(tmp_path: Path) -> None:
    sources = _project(tmp_path, CATALOGS / "cloudflare" / "sources" / "cloudflare" / "index.md")
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", tmp_path / "models")
    assert outcome.exit_code == 1, outcome.output
    assert "sources: error: no model entry came out of 1 document(s)" in outcome.output
    assert not (tmp_path / "models").exists()


def _damage(page: Path) -> None:
    page.write_text(page.read_text("utf-8")[:300], "utf-8")  # cut before its schemas


def test_a_damaged_page_does_not_silently_remove_its_model(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md", TASKS / "melotts.md", TASKS / "m2m100-1.2b.md")
    models = tmp_path / "models"
    assert _cardgen("ingest", "--sources", sources, "--catalog", models).exit_code == 0
    before = {p.name: p.read_text("utf-8") for p in models.rglob("*.yaml")}
    _damage(sources / "cloudflare" / "melotts.md")
    _damage(sources / "cloudflare" / "whisper.md")

    outcome = _cardgen("ingest", "--sources", sources, "--catalog", models)
    assert outcome.exit_code == 1, outcome.output
    for page, entry in (("melotts.md", "melotts.yaml"), ("whisper.md", "whisper.yaml")):
        assert (
            f"sources/cloudflare/{page}: error: produced the catalog entry cloudflare/{entry}"
            in outcome.output
        )
    assert {p.name: p.read_text("utf-8") for p in models.rglob("*.yaml")} == before
    assert _cardgen("ingest", "--check", "--sources", sources, "--catalog", models).exit_code == 1

    kept_going = _cardgen("ingest", "--keep-going", "--sources", sources, "--catalog", models)
    assert kept_going.exit_code == 1, kept_going.output
    assert "the good entries were written (--keep-going)" in kept_going.output
    assert {p.name: p.read_text("utf-8") for p in models.rglob("*.yaml")} == before

    (sources / "cloudflare" / "melotts.md").unlink()  # a model leaves with its document
    (sources / "cloudflare" / "whisper.md").unlink()
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", models)
    assert outcome.exit_code == 0, outcome.output
    assert sorted(p.name for p in models.rglob("*.yaml")) == ["m2m100_1_2b.yaml"]


def test_keep_going_writes_the_good_entries(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md", TASKS / "melotts.md")
    (sources / "cloudflare" / "melotts.md").write_text("---\nmodel: [\njson_schema:\n---\n", "utf-8")
    models = tmp_path / "models"
    outcome = _cardgen("ingest", "--keep-going", "--sources", sources, "--catalog", models)
    assert outcome.exit_code == 1, outcome.output
    assert "sources/cloudflare/melotts.md:" in outcome.output
    assert sorted(p.name for p in models.rglob("*.yaml")) == ["whisper.yaml"]


def test_provider_defaults_ship_with_cardgen(tmp_path: Path) -> None:
    """No providers/ folder anywhere: ingest from an unrelated directory still knows Cloudflare."""
    sources = _project(tmp_path / "elsewhere", TASKS / "whisper.md")
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", tmp_path / "models")
    assert outcome.exit_code == 0, outcome.output
    entry = yaml.safe_load((tmp_path / "models" / "cloudflare" / "whisper.yaml").read_text("utf-8"))
    assert entry["endpoint"]["path"] == "/client/v4/accounts/{account_id}/ai/run/{model_id}"
    assert entry["provenance"]["fields"]["endpoint.path"]["file"] == "cardgen:providers/cloudflare.yaml"


def test_a_project_overrides_provider_defaults_field_by_field(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md")
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "cloudflare.yaml").write_text(
        "provider: cloudflare\nendpoint:\n  base_url: https://gateway.example\n", "utf-8"
    )
    result = ingest(IngestInputs.beside(sources))
    (entry,) = result.catalog
    assert entry.endpoint.base_url == "https://gateway.example"
    assert entry.endpoint.path == "/client/v4/accounts/{account_id}/ai/run/{model_id}"
    assert entry.auth.env_var == "CLOUDFLARE_AUTH_TOKEN"
    fields = entry.provenance.fields
    assert fields["endpoint.base_url"].file == "providers/cloudflare.yaml"
    assert fields["endpoint.path"].file == "cardgen:providers/cloudflare.yaml"


def test_a_broken_project_provider_file_is_an_error_with_its_line(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md")
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "cloudflare.yaml").write_text(
        "provider: cloudflare\nendpoint:\n  base_url: x\nstreamng: {}\n", "utf-8"
    )
    result = ingest(IngestInputs.beside(sources))
    errors = [d.render() for d in result.diagnostics if d.level is Level.ERROR]
    assert errors == ["providers/cloudflare.yaml:4: error: unknown keys: streamng"]


def _break_schema(page: Path) -> None:
    """A schema the metaschema rejects: the page still parses and its entry can be built."""
    text = page.read_text("utf-8")
    assert '\\"type\\": \\"string\\"' in text, page  # schemas stand as JSON strings in the YAML
    page.write_text(text.replace('\\"type\\": \\"string\\"', '\\"type\\": \\"strng\\"', 1), "utf-8")


def test_keep_going_writes_no_entry_for_a_document_with_an_error(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md", TASKS / "melotts.md", TASKS / "m2m100-1.2b.md")
    models = tmp_path / "models"
    assert _cardgen("ingest", "--sources", sources, "--catalog", models).exit_code == 0
    before = (models / "cloudflare" / "melotts.yaml").read_text("utf-8")
    _break_schema(sources / "cloudflare" / "melotts.md")  # it had an entry: that entry stays
    shutil.copy(TASKS / "whisper.md", sources / "cloudflare" / "whisper-copy.md")
    new = sources / "cloudflare" / "whisper-copy.md"  # a new document, broken: no entry at all
    new.write_text(new.read_text("utf-8").replace("@cf/openai/whisper", "@cf/openai/whisper-copy"), "utf-8")
    _break_schema(new)
    outcome = _cardgen("ingest", "--keep-going", "--sources", sources, "--catalog", models)
    assert outcome.exit_code == 1, outcome.output
    assert "sources/cloudflare/melotts.md" in outcome.output and "not a valid JSON Schema" in outcome.output
    assert "sources/cloudflare/whisper-copy.md" in outcome.output
    assert sorted(p.name for p in models.rglob("*.yaml")) == [
        "m2m100_1_2b.yaml",
        "melotts.yaml",
        "whisper.yaml",
    ]
    assert (models / "cloudflare" / "melotts.yaml").read_text("utf-8") == before
    assert "strng" not in "".join(p.read_text("utf-8") for p in models.rglob("*.yaml"))


def _overlay(root: Path, slug: str, patch: str) -> Path:
    path = root / "overlays" / "cloudflare" / f"{slug}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"reason: served elsewhere\npatch:\n{patch}", "utf-8")
    return path


def test_a_model_that_differs_in_what_its_provider_client_holds_is_an_error_at_ingest(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md", TASKS / "melotts.md", TASKS / "m2m100-1.2b.md")
    models = tmp_path / "models"
    _overlay(tmp_path, "melotts", "  endpoint:\n    base_url: https://elsewhere.example\n")
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", models)
    assert outcome.exit_code == 1, outcome.output
    found = [line for line in outcome.output.splitlines() if "client holds it for all its models" in line]
    assert len(found) == 1, outcome.output  # the one model that differs, not the two that agree
    assert found[0].split(":", 1)[0].endswith("overlays/cloudflare/melotts.yaml")  # where the value is set
    assert "@cf/myshell-ai/melotts: endpoint.base_url is" in found[0]
    assert "sources/cloudflare/m2m100-1.2b.md, sources/cloudflare/whisper.md" in found[0]
    assert found[0].endswith("models: set it alike in every overlay that sets it, or remove it there")
    assert not models.exists()

    _overlay(tmp_path, "whisper", "  endpoint:\n    base_url: https://other.example\n")
    (sources / "cloudflare" / "m2m100-1.2b.md").unlink()  # a tie: one against one, both said
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", models)
    found = [line for line in outcome.output.splitlines() if "client holds it for all its models" in line]
    assert [line.split(":", 1)[0].rsplit("/", 3)[-3:] for line in found] == [
        ["overlays", "cloudflare", "melotts.yaml"],
        ["overlays", "cloudflare", "whisper.yaml"],
    ], outcome.output


def test_calls_the_sdk_would_not_make_as_written_are_errors_at_ingest(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md", TASKS / "melotts.md")
    patch = (
        "  endpoint:\n    method: GET\n"
        "  request:\n    content_type: application/x-www-form-urlencoded\n"
        "  response:\n    content_type: text/plain\n"
    )
    _overlay(tmp_path, "whisper", patch)  # whisper answers JSON: no binary output_schema
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", tmp_path / "models")
    assert outcome.exit_code == 1, outcome.output
    found = sorted(
        line.split(": error: ", 1)[1] for line in outcome.output.splitlines() if ": error: " in line
    )
    assert found == [
        "method GET: the SDK calls models with POST",
        "request content type application/x-www-form-urlencoded: the SDK sends JSON"
        " (raw bytes only where request.raw_body allows them)",
        "response content type text/plain: the SDK reads JSON, or raw bytes where output_schema is a binary string",
    ], outcome.output
    assert all(
        "overlays/cloudflare/whisper.yaml:" in line
        for line in outcome.output.splitlines()
        if ": error: " in line
    )


def test_a_page_serves_the_provider_its_folder_names(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    (sources / "acmeai").mkdir(parents=True)
    shutil.copy(
        TASKS / "whisper.md", sources / "acmeai" / "whisper.md"
    )  # Cloudflare's format, acmeai's model
    models = tmp_path / "models"
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", models)
    assert outcome.exit_code == 1
    assert "no defaults for provider 'acmeai'" in outcome.output
    assert "write providers/acmeai.yaml beside the sources" in outcome.output
    (tmp_path / "providers").mkdir()
    shipped = (REPO / "generator" / "ingest" / "provider_defaults" / "cloudflare.yaml").read_text("utf-8")
    defined = shipped.replace("provider: cloudflare", "provider: acmeai")
    defined = defined.replace("https://api.cloudflare.com", "https://api.acme.example")
    (tmp_path / "providers" / "acmeai.yaml").write_text(defined, "utf-8")
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", models)
    assert outcome.exit_code == 0, outcome.output
    entry = yaml.safe_load((models / "acmeai" / "whisper.yaml").read_text("utf-8"))
    assert (entry["provider"], entry["endpoint"]["base_url"]) == ("acmeai", "https://api.acme.example")


def test_a_page_filed_under_another_shipped_provider_is_an_error(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md")
    shutil.copy(
        CATALOGS / "segmind" / "sources" / "segmind" / "sdxl-txt2img.txt", sources / "cloudflare" / "sdxl.txt"
    )
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", tmp_path / "models")
    assert outcome.exit_code == 1, outcome.output
    assert (
        "sources/cloudflare/sdxl.txt: error: a segmind page filed under sources/cloudflare/: move it to "
        "sources/segmind/, or to a folder of a provider of your own"
    ) in outcome.output


def test_a_definition_name_with_a_dot_is_an_error_at_ingest(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md")
    _overlay(tmp_path, "whisper", '  input_schema:\n    $defs:\n      "a.b": {type: string}\n')
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", tmp_path / "models")
    assert outcome.exit_code == 1, outcome.output
    assert (
        "error: input_schema at /$defs/a.b: a definition name with a dot; rename it (an overlay can)"
        in outcome.output
    )


def test_keep_going_writes_no_entry_whose_overlay_has_an_error(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md", TASKS / "melotts.md")
    models = tmp_path / "models"
    assert _cardgen("ingest", "--sources", sources, "--catalog", models).exit_code == 0
    before = (models / "cloudflare" / "whisper.yaml").read_text("utf-8")
    _overlay(tmp_path, "whisper", "  endpoint:\n    method: GET\n")  # the page is fine; its overlay is not
    outcome = _cardgen("ingest", "--keep-going", "--sources", sources, "--catalog", models)
    assert outcome.exit_code == 1, outcome.output
    assert "method GET: the SDK calls models with POST" in outcome.output
    assert (models / "cloudflare" / "whisper.yaml").read_text("utf-8") == before  # kept as it was
    parsed = models / ".cardgen-cache" / "entries"  # what generate takes without a check
    assert "GET" not in "".join(p.read_text("utf-8") for p in parsed.rglob("*.json"))


def test_a_model_that_joins_never_renames_one_already_in_the_catalog(tmp_path: Path) -> None:
    sources = _project(tmp_path, TASKS / "whisper.md", TASKS / "melotts.md")
    models = tmp_path / "models"
    assert _cardgen("ingest", "--sources", sources, "--catalog", models).exit_code == 0
    assert (models / "cloudflare" / "whisper.yaml").is_file()
    twin = sources / "cloudflare" / "whisper-other.md"  # another vendor's model of the same short name
    twin.write_text(
        (TASKS / "whisper.md").read_text("utf-8").replace("@cf/openai/whisper", "@cf/acme/whisper"), "utf-8"
    )
    outcome = _cardgen("ingest", "--sources", sources, "--catalog", models)
    assert outcome.exit_code == 0, outcome.output
    assert sorted(p.name for p in (models / "cloudflare").glob("*.yaml")) == [
        "acme_whisper.yaml",  # the newcomer takes the longer name
        "melotts.yaml",
        "whisper.yaml",  # kept: its overlays, recordings and code keep their name
    ]
    # A catalog from nothing names both alike, neither depending on the other.
    fresh = tmp_path / "fresh"
    assert _cardgen("ingest", "--sources", sources, "--catalog", fresh).exit_code == 0
    assert sorted(p.name for p in (fresh / "cloudflare").glob("*.yaml")) == [
        "acme_whisper.yaml",
        "melotts.yaml",
        "openai_whisper.yaml",
    ]
