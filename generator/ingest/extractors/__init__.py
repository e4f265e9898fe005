"""Every known document format, and automatic detection among them."""

from __future__ import annotations

from generator.ingest.extractors.base import Extractor
from generator.ingest.extractors.cloudflare_docs import CloudflareDocsPage
from generator.ingest.extractors.cloudflare_frontmatter import CloudflareFrontMatter
from generator.ingest.extractors.cloudflare_json import CloudflareJson
from generator.ingest.extractors.dataoorts_page import DataoortsPage
from generator.ingest.extractors.segmind_page import SegmindPage
from generator.ingest.sources import SourceDocument

EXTRACTORS: tuple[Extractor, ...] = (
    CloudflareJson(),
    CloudflareFrontMatter(),
    CloudflareDocsPage(),
    DataoortsPage(),
    SegmindPage(),
)

RECOGNISED = 0.5


def detect(document: SourceDocument) -> Extractor | None:
    """The most confident extractor, or None when none recognises the document."""
    scored = sorted(((e.confidence(document), e.name, e) for e in EXTRACTORS), key=lambda t: (-t[0], t[1]))
    best_score, _, best = scored[0]
    return best if best_score >= RECOGNISED else None


__all__ = ["EXTRACTORS", "Extractor", "detect"]
