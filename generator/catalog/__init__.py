"""The catalog: normalized entries, their format, and how they are stored."""

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog, dump_entry, entry_path, load_catalog, parse_entry

__all__ = ["Catalog", "CatalogEntry", "dump_entry", "entry_path", "load_catalog", "parse_entry"]
