"""`cardgen record`: one cassette per planned request, no credentials, same seed -> same bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner, Result

from generator.backend.server import running_backend
from generator.cassettes.cli import record_command
from generator.cassettes.record import DUMMY_KEY
from generator.cli import cli
from tests.cassettes.conftest import CATALOG, ENTRIES, recorded_files

EXPECTED = [
    "cloudflare/deepseek_coder_6_7b_base_awq/example-1.yaml",
    "cloudflare/deepseek_coder_6_7b_base_awq/stream.yaml",
    "cloudflare/deepseek_math_7b_base/minimal.yaml",
    "cloudflare/deepseek_math_7b_base/stream.yaml",
    "cloudflare/tinyllama_1_1b_chat_v1_0/minimal.yaml",
    "cloudflare/tinyllama_1_1b_chat_v1_0/stream.yaml",
    "dataoorts/deepseek_math_7b_instruct/example-1.yaml",
    "segmind/deepseek_reasoner/example-1.yaml",
]
SECRET_KEY = "tok-SECRET-5151"
SECRET_ACCOUNT = "acct-SECRET-7272"


Record = Callable[..., Result]


@pytest.fixture
def record(seed_project: Path) -> Record:
    """`cardgen record ARGS` over the seed project's catalog."""
    models = seed_project / "catalog" / "models"

    def run(*args: str) -> Result:
        return CliRunner().invoke(record_command, ["--catalog", str(models), *args], catch_exceptions=False)

    return run


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in recorded_files(root)}


def test_local_backend_gives_one_cassette_per_request_per_model(record: Record, tmp_path: Path) -> None:
    result = record("--backend", "local", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(tree(tmp_path)) == EXPECTED
    assert {p.split("/")[0] + "/" + p.split("/")[1] for p in EXPECTED} == {
        f"{e.provider}/{e.slug}" for e in ENTRIES
    }
    assert "recorded 8 cassettes of 5 models" in result.output


def test_cassettes_look_like_the_provider_and_hold_no_credentials(record: Record, tmp_path: Path) -> None:
    record("--out", str(tmp_path))
    for name, content in tree(tmp_path).items():
        text = content.decode()
        assert DUMMY_KEY not in text
        assert "cardgen-record" not in text
        assert "authorization" not in text.lower()
        assert "127.0.0.1" not in text
        [interaction] = yaml.safe_load(text)["interactions"]
        provider, slug, _ = name.split("/")
        entry = next(e for e in ENTRIES if (e.provider, e.slug) == (provider, slug))
        assert interaction["request"]["uri"].startswith(entry.endpoint.base_url + "/")
        if entry.endpoint.path_params:
            assert "/accounts/ACCOUNT_ID/" in interaction["request"]["uri"]


def test_same_seed_same_bytes_other_seed_other_answers(record: Record, tmp_path: Path) -> None:
    for run in ("a", "b"):
        assert record("--seed", "3", "--out", str(tmp_path / run)).exit_code == 0
    record("--seed", "4", "--out", str(tmp_path / "c"))
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a") != tree(tmp_path / "c")


def test_url_backend_sends_env_credentials_and_stores_none(
    record: Record, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for entry in ENTRIES:
        monkeypatch.setenv(entry.auth.env_var, SECRET_KEY)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", SECRET_ACCOUNT)
    # The server accepts only SECRET_KEY: the recording succeeds only if the env key was sent.
    with running_backend(CATALOG, seed=0, token=SECRET_KEY) as backend:
        result = record("--backend", backend.url, "--out", str(tmp_path))
        assert result.exit_code == 0, result.output
    files = tree(tmp_path)
    assert sorted(files) == EXPECTED
    for content in files.values():
        assert SECRET_KEY.encode() not in content
        assert SECRET_ACCOUNT.encode() not in content


def test_a_failed_request_writes_nothing(
    record: Record, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert record("--out", str(out)).exit_code == 0
    before = tree(out)
    for entry in ENTRIES:
        monkeypatch.setenv(entry.auth.env_var, "wrong-key")
    with running_backend(CATALOG, seed=9, token=SECRET_KEY) as backend:
        result = record("--backend", backend.url, "--out", str(out))
    assert result.exit_code == 1
    assert "HTTP 401" in result.output
    assert "wrong-key" not in result.output
    assert f"record failed; nothing written to {out}" in result.output
    assert tree(out) == before


@pytest.mark.parametrize("faults", ["429;retry-after=0;times=1", "503;retry-after=0;times=2"], ids=str)
def test_a_transient_failure_is_tried_again(record: Record, tmp_path: Path, faults: str) -> None:
    """Every request is refused (a rate limit, a server error), then answered."""
    with running_backend(CATALOG, seed=0, faults=faults) as backend:
        result = record("--backend", backend.url, "--model", "segmind/*", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    with running_backend(CATALOG, seed=0) as backend:  # the same answers, never failing
        record("--backend", backend.url, "--model", "segmind/*", "--out", str(tmp_path / "calm"))
    assert tree(tmp_path / "out") == tree(tmp_path / "calm")


def test_a_2xx_answer_cut_short_is_not_sent_for_again(record: Record, tmp_path: Path) -> None:
    """The server has generated (and billed) it: the recording fails, as the SDK's call does."""
    with running_backend(CATALOG, seed=0, faults="cut;times=1") as backend:
        result = record("--backend", backend.url, "--model", "segmind/*", "--out", str(tmp_path))
        sent = backend.total_requests
    assert result.exit_code == 1, result.output
    assert ": 200 OK, then RemoteProtocolError" in result.output and "(not sent again)" in result.output
    assert sent == 1
    assert tree(tmp_path) == {}


def test_a_request_that_fails_on_every_attempt_still_writes_nothing(record: Record, tmp_path: Path) -> None:
    with running_backend(CATALOG, seed=0, faults="429;retry-after=0") as backend:
        result = record("--backend", backend.url, "--model", "segmind/*", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "HTTP 429" in result.output and "(after 3 attempts)" in result.output
    assert "record failed; nothing written to" in result.output
    assert tree(tmp_path) == {}


def test_model_glob_records_only_those_and_keeps_the_others(record: Record, tmp_path: Path) -> None:
    assert record("--seed", "1", "--out", str(tmp_path)).exit_code == 0
    before = tree(tmp_path)
    result = record("--seed", "2", "--model", "segmind/*", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "recorded 1 cassette of 1 model from local" in result.output
    after = tree(tmp_path)
    assert sorted(after) == EXPECTED
    changed = {name for name in EXPECTED if before[name] != after[name]}
    assert changed == {"segmind/deepseek_reasoner/example-1.yaml"}


def test_model_given_twice_records_the_models_of_both(record: Record, tmp_path: Path) -> None:
    result = record("--model", "segmind/*", "--model", "deepseek_math_7b_base", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(tree(tmp_path)) == [
        "cloudflare/deepseek_math_7b_base/minimal.yaml",
        "cloudflare/deepseek_math_7b_base/stream.yaml",
        "segmind/deepseek_reasoner/example-1.yaml",
    ]


def test_a_glob_that_names_nothing_beside_one_that_does_is_a_usage_error(
    record: Record, tmp_path: Path
) -> None:
    result = record("--model", "segmnd/*", "--model", "segmind/*", "--out", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "Invalid value for --model: no model in" in result.output
    assert "matches 'segmnd/*' (models" in result.output  # the one that named nothing, alone
    assert tree(tmp_path) == {}


def test_unknown_model_glob_is_a_usage_error(record: Record, tmp_path: Path) -> None:
    result = record("--model", "nobody/*", "--out", str(tmp_path))
    assert result.exit_code == 2, "a usage error, as conform's"
    assert "Invalid value for --model: no model in" in result.output
    assert not tmp_path.joinpath("nobody").exists()


def test_bad_backend_is_refused(record: Record, tmp_path: Path) -> None:
    result = record("--backend", "ftp://example.org", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "expected `local` or an http(s) URL" in result.output


def test_registered_as_cardgen_record() -> None:
    assert cli.get_command(click.Context(cli), "record") is record_command
