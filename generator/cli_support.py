"""What the ingest and generate commands share: default folders, diagnostics, writing or checking a tree."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import click

from generator.diagnostics import Diagnostic, Level
from generator.tree import TreeDiff

if TYPE_CHECKING:
    from generator.catalog.entry import CatalogEntry
    from generator.catalog.store import Written
    from generator.tree import Proven

DEFAULT_SOURCES = Path("catalog/sources")
DEFAULT_CATALOG = Path("catalog/models")
DEFAULT_OUT = Path("generated")
DEFAULT_RECORDINGS = Path("catalog/recordings")


def folder_option(
    flag: str, default: Path, help_text: str, name: str | None = None
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A command's folder argument (`--catalog`, `--out`, `--sources`), its default shown in --help."""
    names = (flag, name) if name else (flag,)
    return click.option(
        *names, type=click.Path(path_type=Path), default=default, show_default=True, help=help_text
    )


# Options more than one command takes, spelled once.
providers_option = click.option(
    "--providers",
    type=click.Path(path_type=Path),
    default=None,
    help="Provider defaults for what documents leave out, replacing cardgen's field by field "
    "[default: providers/ beside the sources].",
)
overlays_option = click.option(
    "--overlays",
    type=click.Path(path_type=Path),
    default=None,
    help="Maintainers' patches [default: overlays/ beside the sources].",
)
package_option = click.option(
    "--package",
    default="modelsdk",
    show_default=True,
    help="Import name of the generated package; vendor it under any name.",
)
recordings_option = click.option(
    "--recordings",
    type=click.Path(path_type=Path),
    default=None,
    help="Cassettes from `cardgen record` [default: recordings/ beside the catalog].",
)
verbose_option = click.option("-v", "--verbose", is_flag=True, help="Also print informational diagnostics.")


def report(diagnostics: Iterable[Diagnostic], verbose: bool) -> None:
    for diagnostic in diagnostics:
        if diagnostic.level >= Level.NOTE or verbose:
            click.echo(diagnostic.render(), err=True)


def openable(diagnostics: Iterable[Diagnostic], places: Mapping[str, Path]) -> list[Diagnostic]:
    """The diagnostics naming their files from the current directory; provenance keeps the catalog's name.

    places: where each name's first part stands on disk (`sources` -> the --sources folder, whatever
    it is called, `acknowledged.yaml` -> that file). An absolute name is named from here too; a name
    that stands for no file on disk is left as it is.
    """
    # Hundreds of diagnostics: os.path on absolute paths, so the current directory is read once.
    here = os.getcwd()  # noqa: PTH109
    folders = {head: os.path.abspath(place) for head, place in places.items()}  # noqa: PTH100
    found = []
    for diagnostic in diagnostics:
        path = _on_disk(diagnostic.file, folders)
        if path is not None and os.path.exists(path):  # noqa: PTH110
            diagnostic = replace(diagnostic, file=Path(os.path.relpath(path, here)).as_posix())  # noqa: PLW2901
        found.append(diagnostic)
    return found


def _on_disk(name: str, folders: Mapping[str, str]) -> str | None:
    """The absolute path a diagnostic's file name stands for, or None if no place holds it."""
    if os.path.isabs(name):  # noqa: PTH117
        return name
    head, _, rest = name.partition("/")
    folder = folders.get(head)
    if folder is None:
        return None
    return os.path.join(folder, rest) if rest else folder  # noqa: PTH118


@contextmanager
def uncollected() -> Iterator[None]:
    """Build a large catalog without the cycle collector walking it again each time it grows.

    What is built here is data kept to the end of the command (parsed JSON and YAML, entries,
    extractions, and the modules imported meanwhile): the collector would walk the growing heap
    again and again and free nearly nothing (50-80 ms at 500 models). When the command is the
    whole process (main), all of it is then frozen (gc.freeze), so later collections do not walk
    it either; reference counting still frees it. Called in a longer process, the collector is
    only paused: freezing would keep that process's uncollected cycles for good.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if Process.whole:
            gc.freeze()
            Process.frozen = True
        if enabled:
            gc.enable()


class Process:
    whole = False  # set by main: this command is the process, and ends with it
    frozen = False  # uncollected() froze what the command built: main ends the process at once


def exit_status(stop: SystemExit) -> int:
    """The status a SystemExit asks for, as the interpreter reads it (a message: printed, status 1)."""
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code
    print(stop.code, file=sys.stderr)
    return 1


def exit_now(status: int) -> None:
    """End the process with status once its output is flushed, without tearing down the heap.

    An ingest or generate of a large catalog ends holding hundreds of thousands of objects (entries,
    parsed schemas, file texts) that the interpreter would free one by one at exit, ~10 ms at 500
    models; the operating system takes the whole heap back at once (as mypy ends its runs).
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more can be said there
            status = status or 1
    os._exit(status)


@dataclass
class Handoff:
    """What `cardgen build`'s ingest leaves its generate (the click context's object): the entry
    files it left, by name (`<provider>/<slug>.yaml`), so they are not parsed again; and the
    entries it built anew whose files it wrote (the models generate renders again)."""

    written: dict[str, Written] = field(default_factory=dict)
    changed: list[CatalogEntry] = field(default_factory=list)


def handoff() -> Handoff | None:
    """The running `cardgen build`'s handoff; None in a command run on its own."""
    context = click.get_current_context(silent=True)
    return context.find_object(Handoff) if context is not None else None


def warn_not_kept(what: str, folder: Path, error: OSError, consequence: str) -> None:
    """Say that a cache could not be written once the output is: the run is good, the next one slower."""
    click.echo(
        f"warning: could not keep {what} in {folder}: {error}; the output is written; {consequence} until "
        "the folder takes it (a cache: whatever is in its place may be deleted)",
        err=True,
    )


def label(directory: Path) -> str:
    """How generated headers name a directory: relative to here, so output never holds our paths."""
    try:
        return directory.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return directory.name


def sync(
    target: Path,
    files: dict[PurePosixPath, str],
    check: bool,
    command: str,
    kept: Collection[str] = frozenset(),
    proven: Proven | None = None,
) -> TreeDiff:
    """Write files to target, or with check only compare; exit 1 when the target is unsafe to write.

    kept: files of the tree found intact in target just before (given in files or not); proven:
    the digests of files known without reading them.
    """
    from generator.tree import UnsafeTarget, compare_tree, write_tree

    if check:
        return compare_tree(target, files, kept, proven)
    try:
        return write_tree(target, files, kept, proven)
    except UnsafeTarget as exc:
        click.echo(f"{command}: {exc}", err=True)
        sys.exit(1)


def report_check(
    target: Path, diff: TreeDiff, stale_against: str, count: int, why: tuple[str, ...] = ()
) -> None:
    """Say whether target is up to date; exit 1 listing what differs and why when it is not."""
    if diff.clean:
        click.echo(f"{target} is up to date ({count} files)")
        return
    click.echo(f"{target} is out of date with {stale_against}:", err=True)
    for line in diff.lines():
        click.echo(f"  {line}", err=True)
    for reason in why:
        click.echo(f"why: {reason}", err=True)
    sys.exit(1)
