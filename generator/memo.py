"""Results of pure checks on JSON data, remembered by the data's digest while a session is open.

Validating a schema against the JSON Schema metaschema, or an entry against the entry format, costs
milliseconds each and gives the same messages for the same data. Inside `remembering(known)` a
`@remembered` check answers from `known` (what an earlier run recorded, e.g. the ingest cache) or
computes and records; outside any session it just runs. Only data JSON carries exactly is keyed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

Check = Callable[[Any], list[str]]
Results = dict[str, dict[str, list[str]]]  # check name -> sha256 of the data's JSON -> messages


@dataclass
class Session:
    known: Mapping[str, Any]
    used: Results = field(default_factory=dict)  # every result this session asked for, to keep


_SESSION: ContextVar[Session | None] = ContextVar("generator.memo", default=None)


@contextmanager
def remembering(known: Mapping[str, Any]) -> Iterator[Session]:
    session = Session(known)
    token = _SESSION.set(session)
    try:
        yield session
    finally:
        _SESSION.reset(token)


def json_exact(value: Any) -> bool:
    """Whether JSON gives value back equal and of the same types (no tuples, dates, non-str keys)."""
    if isinstance(value, dict):
        return all(type(k) is str and json_exact(v) for k, v in value.items())
    if isinstance(value, list):
        return all(json_exact(item) for item in value)
    return value is None or type(value) in {str, bool, int, float}


def remembered(name: str) -> Callable[[Check], Check]:
    def decorate(check: Check) -> Check:
        @wraps(check)
        def answer(data: Any) -> list[str]:
            session = _SESSION.get()
            if session is None:
                return check(data)
            try:
                if not json_exact(data):
                    return check(data)
                key = hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()
            except RecursionError:
                return check(data)
            found = session.used.get(name, {}).get(key)
            if found is None:
                kept = session.known.get(name)
                found = kept.get(key) if isinstance(kept, dict) else None
            if not (isinstance(found, list) and all(isinstance(message, str) for message in found)):
                found = check(data)
            session.used.setdefault(name, {})[key] = list(found)
            return list(found)

        return answer

    return decorate
