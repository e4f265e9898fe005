"""`cardgen pull` for page-based providers, against the pages `cardgen serve` serves; HTML to text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.backend.server import running_backend
from generator.cli import cli
from generator.pull import fetch
from generator.pull.config import load_pull_config
from generator.pull.html_text import html_to_text
from tests.conftest import CATALOG_ROOT, SOURCES, seed_catalog

PAGE = "https://docs.example.com/__cardgen/pages/dataoorts/deepseek-math-7b-instruct.md"
MISSING = "https://docs.example.com/__cardgen/pages/dataoorts/retired.md"


def test_pages_are_stored_as_published_and_a_page_gone_is_pruned_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "BACKOFF", 0.0)
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "dataoorts.yaml").write_text(
        f"provider: dataoorts\npull:\n  pages:\n    - {PAGE}\n    - url: {MISSING}\n", "utf-8"
    )
    folder = tmp_path / "sources" / "dataoorts"
    folder.mkdir(parents=True)
    (folder / "retired.md").write_text("an old page\n", "utf-8")
    with running_backend(seed_catalog(), documents=CATALOG_ROOT) as backend:
        argv = ["pull", "dataoorts", "--sources", str(tmp_path / "sources"), "--base-url", backend.url]
        first = CliRunner().invoke(cli, argv, catch_exceptions=False)
        again = CliRunner().invoke(cli, [*argv, "--check"], catch_exceptions=False)
        pruned = CliRunner().invoke(cli, [*argv, "--prune"], catch_exceptions=False)

    assert first.exit_code == 0, first.output
    published = (SOURCES / "dataoorts" / "deepseek-math-7b-instruct.md").read_bytes()
    assert (folder / "deepseek-math-7b-instruct.md").read_bytes() == published
    assert "retired.md: gone upstream" in first.output
    assert "1 gone upstream, kept (remove them with --prune)" in first.output
    assert again.exit_code == 1 and "disappeared  retired.md (retired.md)" in again.output
    assert pruned.exit_code == 0 and not (folder / "retired.md").exists()


def test_a_model_glob_that_matches_no_configured_page_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "segmind.yaml").write_text(
        "provider: segmind\npull:\n  pages:\n    - https://docs.example.com/__cardgen/pages/segmind/deepseek-r1.txt\n",
        "utf-8",
    )
    with running_backend(seed_catalog(), documents=CATALOG_ROOT) as backend:
        argv = ["pull", "segmind", "--sources", str(tmp_path / "sources"), "--base-url", backend.url]
        typo = CliRunner().invoke(cli, [*argv, "--model", "deepsek*", "--check"], catch_exceptions=False)
        chosen = CliRunner().invoke(cli, [*argv, "--model", "deepseek*"], catch_exceptions=False)
    assert typo.exit_code == 2, typo.output
    assert "Invalid value for --model: 'deepsek*' matches no segmind model" in typo.output
    assert chosen.exit_code == 0, chosen.output
    assert (tmp_path / "sources" / "segmind" / "deepseek-r1.txt").is_file()


def test_the_shipped_defaults_name_pages_and_a_project_file_replaces_them(tmp_path: Path) -> None:
    assert load_pull_config("segmind", None).pages[0].file == "deepseek-r1.txt"
    (tmp_path / "segmind.yaml").write_text(
        "provider: segmind\npull:\n  pages:\n    - https://example.com/models/flux/\n", "utf-8"
    )
    config = load_pull_config("segmind", tmp_path)
    assert [(p.url, p.file) for p in config.pages] == [("https://example.com/models/flux/", "flux.txt")]
    assert config.kind == "pages"


def test_html_is_reduced_to_the_text_a_browser_saves() -> None:
    html = """<!doctype html><html><head><title>t</title><style>p{}</style></head><body>
    <nav>Home | Models</nav><h1>DeepSeek   R1</h1><p>Reasons
    well.</p><script>var x = 1;</script>
    <table><tr><th>Name</th><th>Type</th></tr><tr><td>messages</td><td>Array</td></tr></table>
    <pre>curl -X POST \\
  https://api.example.com</pre><footer>(c)</footer></body></html>"""
    assert html_to_text(html) == (
        "DeepSeek R1\n\nReasons well.\n\n| Name | Type |\n| messages | Array |\n\n"
        "curl -X POST \\\n  https://api.example.com\n"
    )


def test_a_model_whose_document_is_a_page_in_another_format_is_not_given_a_second_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seed's Cloudflare models are pages (front matter, a docs page): pull writes no JSON beside
    them (ingest would refuse two pages claiming one model), keeps the pages and says how to switch; a page
    of a model no longer listed is gone upstream like a JSON document, pruned only when asked."""
    monkeypatch.setattr(fetch, "BACKOFF", 0.0)
    folder = tmp_path / "sources" / "cloudflare"
    shutil.copytree(SOURCES / "cloudflare", folder)
    retired = (folder / "tinyllama-1.1b-chat-v1.0.md").read_text("utf-8")
    retired = retired.replace("@cf/tinyllama/tinyllama-1.1b-chat-v1.0", "@cf/retired/model")
    assert "@cf/retired/model" in retired
    (folder / "retired.md").write_text(retired, "utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    env = {"CLOUDFLARE_AUTH_TOKEN": "t", "CLOUDFLARE_ACCOUNT_ID": "a"}
    with running_backend(seed_catalog(), documents=CATALOG_ROOT) as backend:
        argv = ["pull", "cloudflare", "--sources", str(tmp_path / "sources"), "--base-url", backend.url]
        done = CliRunner().invoke(cli, argv, env=env, catch_exceptions=False)
        after = {p.name: p.read_bytes() for p in folder.iterdir()}
        pruned = CliRunner().invoke(cli, [*argv, "--prune"], env=env, catch_exceptions=False)

    assert done.exit_code == 0, done.output  # a page kept is neither a failure nor drift
    for model, page in (
        ("@cf/tinyllama/tinyllama-1.1b-chat-v1.0", "tinyllama-1.1b-chat-v1.0.md"),
        ("@cf/deepseek-ai/deepseek-math-7b-base", "deepseek-math-7b-base.md"),
        ("@hf/thebloke/deepseek-coder-6.7b-base-awq", "deepseek-coder-6.7b-base-awq.txt"),
    ):
        assert (
            f"note: cloudflare {model}: kept as {page}, a page in a format pull does not write" in done.output
        )
    assert "0 failed, 3 kept as pages" in done.output
    assert "disappeared  @cf/retired/model (retired.md)" in done.output
    assert after == before  # no second document of any model, the pages untouched
    assert pruned.exit_code == 0 and not (folder / "retired.md").exists()
