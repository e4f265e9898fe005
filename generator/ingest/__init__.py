"""Ingest: detect each document's format, extract facts, build normalized catalog entries."""
