"""Installed distributions' versions, as importlib.metadata.version gives them, read more cheaply.

Every run asks for a few (the toolchains that key its caches), a no-op run for little else, and
importlib.metadata costs ~10 ms to import (email, csv, zipfile) and ~1 ms a lookup (it parses the
whole METADATA file as an email message). The same search, by hand: the first folder on sys.path
holding a `<name>-<version>.dist-info` (or `.egg-info`) folder whose name normalizes to the one
asked for, and the `Version` header of its METADATA (PKG-INFO). Anything else (a zip on sys.path,
an egg-info file, metadata it cannot read) is left to importlib.metadata itself.
"""

from __future__ import annotations

import os
import re
import sys

_METADATA = ("METADATA", "PKG-INFO")  # a .dist-info folder's, an .egg-info folder's


def version(name: str) -> str:
    """The installed version of distribution name; ModuleNotFoundError (importlib.metadata's
    PackageNotFoundError) if it is not installed."""
    wanted = _normalized(name)
    for entry in sys.path:
        folder = entry or "."
        try:
            children = os.listdir(folder)  # noqa: PTH208 - names only: no Path object each
        except OSError:  # gone; or a zip file, where importlib.metadata looks, in sys.path's order
            if os.path.isfile(folder):  # noqa: PTH113
                return _by_importlib(name)
            continue
        for child in children:
            stem, dot, suffix = child.lower().rpartition(".")
            if not dot or suffix not in {"dist-info", "egg-info", "egg"}:
                continue
            if _normalized(stem.partition("-")[0]) == wanted:
                found = None if suffix == "egg" else _version_in(os.path.join(folder, child))  # noqa: PTH118
                return found if found is not None else _by_importlib(name)
    return _by_importlib(name)


def _normalized(name: str) -> str:
    """As importlib.metadata compares names (PEP 503, with underscores)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _version_in(folder: str) -> str | None:
    """The Version header of the folder's metadata file; None if there is no such file or header."""
    for name in _METADATA:
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as stream:  # noqa: PTH118, PTH123
                for line in stream:
                    if not line.strip():
                        return None  # the headers end at the first empty line
                    if line[0] in " \t":
                        continue  # a header's value going on (a long Summary, say)
                    key, colon, value = line.partition(":")
                    if colon and key.strip().lower() == "version":
                        return value.strip()
        except (OSError, UnicodeDecodeError):
            continue
    return None


def _by_importlib(name: str) -> str:
    from importlib.metadata import version as metadata_version  # noqa: PLC0415 - only where unread

    return metadata_version(name)
