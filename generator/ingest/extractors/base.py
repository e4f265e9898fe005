"""The extractor interface: recognise one document format, read its facts."""

from __future__ import annotations

from typing import Protocol

from generator.ingest.facts import Extraction
from generator.ingest.sources import SourceDocument


class Extractor(Protocol):
    name: str

    def confidence(self, document: SourceDocument) -> float:
        """0.0 (not this format) to 1.0 (certainly this format)."""
        ...

    def extract(self, document: SourceDocument) -> Extraction: ...
