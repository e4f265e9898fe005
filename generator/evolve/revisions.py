"""Load a catalog from a directory, or from a git revision without checking anything out."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from generator.catalog.entry import CatalogEntry
from generator.catalog.store import Catalog, entry_from_json, load_catalog, parse_entry
from generator.digests import sha256_text
from generator.tree import yaml_files

CATALOG_IN_REPO = PurePosixPath("catalog/models")


class RevisionError(ValueError):
    """A catalog argument that is neither a directory nor a revision, or a revision git cannot read."""


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise RevisionError("git is not installed, so only catalog directories can be compared")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    return subprocess.run(  # noqa: S603 - git itself, with a revision that --end-of-options guards
        [git, "-C", str(repo), *args], input=stdin, capture_output=True, check=False, env=env
    )


def _commit(spec: str, repo: Path) -> tuple[Path, str] | None:
    """The repository's top level and the commit a revision names, or None."""
    top = _git(repo, "rev-parse", "--show-toplevel")
    if top.returncode != 0 or not spec:
        return None
    found = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}")
    if found.returncode != 0:
        return None
    return Path(top.stdout.decode().strip()), found.stdout.decode().strip()


def _entry_paths(top: Path, commit: str, catalog: PurePosixPath) -> tuple[list[str], bool]:
    """The catalog's `<provider>/<slug>.yaml` files at commit, and whether it holds anything else
    that is not hidden (a folder with files and no entry is another folder: catalog/, generated/)."""
    listed = _git(top, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--", str(catalog))
    if listed.returncode != 0:
        raise RevisionError(f"git ls-tree {commit}: {listed.stderr.decode().strip()}")
    paths, other = [], False
    for name in filter(None, listed.stdout.decode().split("\0")):
        path = PurePosixPath(name)
        # `<provider>/<slug>.yaml`, exactly as load_catalog reads a directory.
        if "\n" not in name and path.suffix == ".yaml" and path.parent.parent == catalog:
            paths.append(name)
        elif name == str(catalog) or not path.relative_to(catalog).parts[0].startswith("."):
            other = True  # a file, or a link, where the folder should be: no catalog either
    return sorted(paths), other


def _read_blobs(top: Path, commit: str, paths: list[str]) -> dict[str, str]:
    """Read many files of one commit in one `git cat-file --batch`."""
    request = "".join(f"{commit}:{path}\n" for path in paths).encode()
    done = _git(top, "cat-file", "--batch", stdin=request)
    if done.returncode != 0:
        raise RevisionError(f"git cat-file {commit}: {done.stderr.decode().strip()}")
    out, position, texts = done.stdout, 0, {}
    for path in paths:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        if len(header) != 3 or header[1] != b"blob":
            raise RevisionError(f"{commit}:{path}: git cannot read it as a file")
        size = int(header[2])
        texts[path] = out[end + 1 : end + 1 + size].decode("utf-8")
        position = end + 1 + size + 1
    return texts


def load_catalog_at(
    spec: str,
    repo: Path | None = None,
    catalog: PurePosixPath = CATALOG_IN_REPO,
    *,
    near: PurePosixPath | None = None,
    parsed: Mapping[str, str] | None = None,
) -> Catalog:
    """Load a catalog from a directory, else from `<catalog>/*/*.yaml` at a git revision of repo
    (`REV`, or `REV:path` naming the catalog's folder in the repository, as git spells a file).

    near: where the other side's catalog folder sits in the repository, read first at the revision
    when it holds one (`cardgen diff HEAD sdk/catalog/models` reads HEAD's sdk/catalog/models).
    A directory wins over a revision of the same name; nothing in the work tree is touched. A
    revision that holds no catalog there is refused: compared as empty, every model would count as
    added and nothing removed, and a breaking change would pass.
    parsed: entries already parsed and checked, by the sha256 of their text (catalog.parsed, kept
    beside the work tree's catalog): a revision's entry file with such a text is not parsed again.
    """
    if spec and Path(spec).is_dir():
        return _load_directory(spec)
    repo = repo or Path.cwd()
    found = _commit(spec, repo)
    places = [place for place in (near, catalog) if place is not None]
    if found is None and ":" in spec:
        revision, _, folder = spec.partition(":")
        found = _commit(revision, repo)
        places = [PurePosixPath(folder.strip("/") or ".")]
    if found is None:
        raise RevisionError(f"{spec!r} is neither a catalog directory nor a git revision of {repo}")
    top, commit = found
    held = next((p for p in places if _git(top, "cat-file", "-e", f"{commit}:{p}").returncode == 0), None)
    if held is None:
        raise RevisionError(
            f"{spec!r} holds no catalog at {' or '.join(map(str, dict.fromkeys(places)))} (give its folder as"
            " `REV:path/to/catalog/models`, or compare against an empty folder to count every model as added)"
        )
    paths, other = _entry_paths(top, commit, held)
    if not paths and other:  # as a directory with no entry is refused: every model would count as added
        raise RevisionError(
            f"{spec!r} holds no catalog at {held} (no `<provider>/<slug>.yaml` entry): give its folder as"
            " `REV:path/to/catalog/models`"
        )
    texts = _read_blobs(top, commit, paths)
    entries = [_entry(text, f"{spec}:{path}", parsed or {}) for path, text in texts.items()]
    return Catalog(tuple(sorted(entries, key=lambda e: e.key)))


def _entry(text: str, origin: str, parsed: Mapping[str, str]) -> CatalogEntry:
    kept = parsed.get(sha256_text(text))  # the key catalog.parsed files an entry's text by
    entry = entry_from_json(kept) if kept is not None else None
    return entry if entry is not None else parse_entry(text, origin)


def catalog_in_repository(directory: str, repo: Path | None = None) -> PurePosixPath | None:
    """Where a catalog directory sits in the repository (`sdk/catalog/models`), for reading a
    revision's catalog at the same place; None outside a repository or for what is no directory."""
    folder = Path(directory)
    if not folder.is_dir():
        return None
    top = _git(repo or Path.cwd(), "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        return None
    try:
        return PurePosixPath(
            folder.resolve().relative_to(Path(top.stdout.decode().strip()).resolve()).as_posix()
        )
    except ValueError:  # a folder outside the repository
        return None


def _load_directory(spec: str) -> Catalog:
    """The catalog in a directory; RevisionError when the directory is another folder, not a catalog."""
    folder = Path(spec)
    advice = "name the folder `cardgen ingest` writes, catalog/models by default"
    try:
        here = load_catalog(folder)
    except ValueError as exc:
        # A catalog with a broken entry says which; a folder where no `*/*.yaml` file is an entry
        # (/tmp, a project's root) is first of all no catalog, whatever its first such file is.
        if _holds_an_entry(folder):
            raise
        raise RevisionError(
            f"{spec!r} holds no catalog (no `<provider>/<slug>.yaml` entry; {exc}): {advice}"
        ) from exc
    # An empty catalog holds nothing but hidden files (its manifest); a folder with other things
    # and no entry is another folder (catalog/, generated/), whose "every model removed" would mislead.
    visible = any(not child.name.startswith(".") for child in folder.iterdir())
    if not here and visible:
        raise RevisionError(f"{spec!r} holds no catalog (no `<provider>/<slug>.yaml` entry): {advice}")
    return here


def _holds_an_entry(folder: Path) -> bool:
    for name in yaml_files(folder, depth=1):  # `<provider>/<slug>.yaml`, as load_catalog reads them
        try:
            parse_entry((folder / name).read_text("utf-8"), name)
        except (OSError, ValueError):
            continue
        return True
    return False
