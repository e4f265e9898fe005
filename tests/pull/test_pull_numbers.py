"""`cardgen pull cloudflare` writes every number as the API sent it: a price stays exact."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from generator.pull.cloudflare import pull_cloudflare

LISTING = (
    '{"success": true, "result_info": {"total_pages": 1}, "result": [{"id": "u-1", "name": "@cf/acme/tiny",'
    ' "description": "Tiny.", "task": {"name": "Text Generation"}, "properties": [{"property_id": "price",'
    ' "value": [{"unit": "per M input tokens", "price": 0.000053, "currency": "USD"}]},'
    ' {"property_id": "ratio", "value": 1E+2}, {"property_id": "count", "value": 10}]}]}'
)
SCHEMA = (
    '{"success": true, "result": {"input": {"type": "object", "properties": {"t": {"type": "number",'
    ' "minimum": 0.0, "maximum": 1.50, "default": 1e-7}}}, "output": {"type": "object"}}}'
)


def _answer(request: httpx.Request) -> httpx.Response:
    text = LISTING if request.url.path.endswith("/search") else SCHEMA
    return httpx.Response(200, text=text, headers={"content-type": "application/json"})


def test_numbers_are_written_as_the_api_sent_them(tmp_path: Path) -> None:
    with httpx.Client(transport=httpx.MockTransport(_answer)) as client:
        pulled = pull_cloudflare(client, "https://api.example", "acct", tmp_path, ("*",), lambda line: None)
    [(file, text)] = pulled.documents.values()
    assert file == "tiny.json"
    for written in (
        '"price": 0.000053',
        '"value": 1E+2',
        '"value": 10',
        '"minimum": 0.0',
        '"maximum": 1.50',
        '"default": 1e-7',
    ):
        assert written in text, written
    assert "5.3e-05" not in text and "1e-07" not in text
    number = json.loads(text)["schema"]["input"]["properties"]["t"]
    assert number == {"type": "number", "minimum": 0.0, "maximum": 1.5, "default": 1e-7}  # the same values
