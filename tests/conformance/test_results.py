"""The conformance table is read from pytest's JUnit XML: a failure is never hidden by a later pass."""

from __future__ import annotations

import json
from pathlib import Path

from generator.conform.results import markdown, read_junit, table, to_json

MODULE = "tests.test_cloudflare__tinyllama"


def _junit(tmp_path: Path, *cases: str) -> Path:
    path = tmp_path / "junit.xml"
    path.write_text(f"<testsuites><testsuite>{''.join(cases)}</testsuite></testsuites>", "utf-8")
    return path


def test_a_failure_stays_failed_when_a_later_case_of_the_column_passes(tmp_path: Path) -> None:
    results = read_junit(
        _junit(
            tmp_path,
            f'<testcase classname="{MODULE}" name="test_client_against_backend[a]"><failure message=""/></testcase>',
            f'<testcase classname="{MODULE}" name="test_client_against_backend[b]"/>',
        )
    )
    model = results.models["cloudflare/tinyllama"]
    assert model.outcomes == {"client": "FAIL"}
    assert model.notes == ["client: "]
    assert results.failed


def test_a_defect_recorded_by_a_passing_case_is_reported_not_failed(tmp_path: Path) -> None:
    defect = "output_schema at /oneOf: branches 0 and 1 overlap (both accept {})"
    results = read_junit(
        _junit(
            tmp_path,
            f'<testcase classname="{MODULE}" name="test_response_class_agrees_with_the_output_schema">'
            f'<properties><property name="defect" value="{defect}"/></properties></testcase>',
        )
    )
    model = results.models["cloudflare/tinyllama"]
    assert model.outcomes == {"response": "defect"}
    assert model.notes == [f"response: defect: {defect}"]
    assert not results.failed


def _timed(tmp_path: Path) -> Path:
    other = "tests.test_segmind__deepseek_reasoner"
    return _junit(
        tmp_path,
        f'<testcase classname="{MODULE}" name="test_request_round_trips" time="1.25"/>',
        f'<testcase classname="{MODULE}" name="test_client_against_backend" time="2.5"/>',
        f'<testcase classname="{MODULE}" name="test_errors_and_faults" time="0.125">'
        '<skipped message="needs a server"/></testcase>',
        f'<testcase classname="{other}" name="test_request_round_trips" time="0.5"/>',
    )


def test_a_models_time_is_the_sum_of_its_test_durations(tmp_path: Path) -> None:
    results = read_junit(_timed(tmp_path))
    assert results.models["cloudflare/tinyllama"].seconds == 3.875
    assert results.models["segmind/deepseek_reasoner"].seconds == 0.5


def test_the_table_shows_each_models_time_in_seconds(tmp_path: Path) -> None:
    header, *rows = table(read_junit(_timed(tmp_path)), 10)[:3]
    assert header.split()[-2:] == ["EXAMPLES", "TIME"]
    times = {row.split()[0]: row.split()[-1] for row in rows}
    assert times == {"cloudflare/tinyllama": "3.9s", "segmind/deepseek_reasoner": "0.5s"}


def test_the_json_document_has_each_models_seconds_as_a_number(tmp_path: Path) -> None:
    document = json.loads(json.dumps(to_json(read_junit(_timed(tmp_path)), 10)))
    seconds = {model["model"]: model["seconds"] for model in document}
    assert seconds == {"cloudflare/tinyllama": 3.875, "segmind/deepseek_reasoner": 0.5}
    assert all(isinstance(value, float) for value in seconds.values())


def test_the_markdown_summary_has_a_time_column(tmp_path: Path) -> None:
    lines = markdown(read_junit(_timed(tmp_path)), 10, 0).splitlines()
    header = next(line for line in lines if line.startswith("| model"))
    row = next(line for line in lines if line.startswith("| `cloudflare/tinyllama`"))
    assert header.rstrip(" |").endswith("time") and row.rstrip(" |").endswith("3.9s")
