"""The cassettes `cardgen record` leaves, as generate reads them: each read only if it is used.

Keyed `<provider>/<slug>/<name>.yaml`. Every model's cache key names its cassettes by sha256, which a
proof gives without reading the file (generator/proofs.py); a cassette's text is read only when its
model is rendered anew and the cassette copied into that model's conformance tests. At 500 models
that is one file read instead of ~550 for a one-model change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from generator.proofs import Proofs
from generator.tree import files_below

PROOF_LABEL = "recordings"  # the proofs' name of a cassette: `recordings/<provider>/<slug>/<name>.yaml`


class Recordings(Mapping[PurePosixPath, str]):
    """Cassette texts by path; on disk (`below`) or in memory (given texts)."""

    def __init__(self, texts: Mapping[PurePosixPath, str] | None = None) -> None:
        self._texts = dict(texts or {})
        self._paths = frozenset(self._texts)
        self._root: Path | None = None
        self._proofs = Proofs()

    @classmethod
    def below(cls, root: Path, names: Iterable[str], proofs: Proofs) -> Recordings:
        """The cassettes `root/<name>`, none read yet; their digests proven as the inputs' were."""
        found = cls()
        found._root, found._proofs = root, proofs
        found._paths = frozenset(map(PurePosixPath, names))
        return found

    def __getitem__(self, path: PurePosixPath) -> str:
        if path not in self._paths:
            raise KeyError(path)
        if path not in self._texts:
            assert self._root is not None  # in memory, every text is given
            self._texts[path] = (self._root / path).read_text("utf-8")
        return self._texts[path]

    def __iter__(self) -> Iterator[PurePosixPath]:
        return iter(sorted(self._paths))

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def sha256(self, path: PurePosixPath) -> str:
        """The cassette's sha256: of its bytes on disk (from a proof where stat vouches), else of its text."""
        if self._root is None:
            return hashlib.sha256(self[path].encode("utf-8")).hexdigest()
        if path not in self._paths:
            raise KeyError(path)
        return self._proofs.sha256(f"{PROOF_LABEL}/{path}", self._root / path)

    def by_model(self) -> dict[str, list[PurePosixPath]]:
        """The cassettes' paths grouped by `<provider>/<slug>`, in order."""
        grouped: dict[str, list[PurePosixPath]] = {}
        for path in self:
            grouped.setdefault("/".join(path.parts[:2]), []).append(path)
        return grouped


def as_recordings(recordings: Mapping[PurePosixPath, str] | None) -> Recordings:
    """Recordings as given: a Recordings as it is, texts (as tests give them) in memory."""
    return recordings if isinstance(recordings, Recordings) else Recordings(recordings)


def misplaced(root: Path) -> list[str]:
    """Files below root (`a/b.yml`) where no cassette is read from, so none of them ever is: a cassette
    one folder too high or too low, one not named `*.yaml`, a file where a model's folder goes.

    Cassettes are `<provider>/<slug>/<name>.yaml`. Hidden files and the top's other
    files (a README) are not taken for cassettes; folders that are symbolic links are not entered.
    """
    return sorted(
        name
        for name in files_below(root, hidden=False)
        if ("/" in name or name.endswith((".yaml", ".yml")))
        and not (name.count("/") == 2 and name.endswith(".yaml"))
    )


def orphans(names: Iterable[str], models: Iterable[str]) -> list[str]:
    """The `<provider>/<slug>` folders among the cassettes' names (`<provider>/<slug>/<name>.yaml`)
    that are no model's: what a model whose page left the sources leaves behind."""
    folders = {"/".join(PurePosixPath(name).parts[:2]) for name in names}
    return sorted(folders - set(models))
