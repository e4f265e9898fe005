"""The conformance table is read from pytest's JUnit XML: a failure is never hidden by a later pass."""

from __future__ import annotations

from pathlib import Path

from generator.conform.results import read_junit

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
