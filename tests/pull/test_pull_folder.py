"""What pull counts as a document changed upstream: what it says, not how the kept file is written."""

from __future__ import annotations

import pytest

from generator.pull.folder import same_content


@pytest.mark.parametrize(
    ("file", "kept", "pulled", "same"),
    [
        ("m.json", b'{"a": 1, "b": [true]}\n', b'{"a": 1, "b": [true]}\n', True),
        ("m.json", b'{\n  "b": [true],\n  "a": 1\n}', b'{"a": 1, "b": [true]}\n', True),  # form only
        ("m.json", b'{"name": "caf\\u00e9"}', '{"name": "café"}\n'.encode(), True),  # an escape is a form
        ("m.json", b'{"a": true}', b'{"a": 1}', False),  # Python's True == 1; JSON's are two values
        ("m.json", b'{"a": 1}', b'{"a": 1.0}', False),  # as written: a schema's 1.0 is kept as 1.0
        ("m.json", b'{"a": 1}', b'{"a": 2}', False),
        ("m.json", b"{ cut short", b'{"a": 1}', False),  # a kept file that no longer parses
        ("page.md", b"# Model\n\ntext\n", b"# Model\n\ntext", True),  # an end-of-file fixer's newline
        ("page.md", b"# Model\r\n", b"# Model", True),
        ("page.md", b"# Model\n\ntext\n", b"# Model\n\ntext!\n", False),
        ("page.md", b"text\n", b"  text\n", False),  # leading space is content
    ],
)
def test_same_content(file: str, kept: bytes, pulled: bytes, same: bool) -> None:
    assert same_content(file, kept, pulled) is same
