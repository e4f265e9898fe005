"""A Cloudflare model's `properties`: `{property_id, value}` items read into flags, limits, prices, attributes.

Known ids have a home in the entry (`price` -> pricing, `context_window`, `max_input_tokens` and
`max_total_tokens` -> limits); any id whose value is "true"/"false" is a flag (`beta`, `lora`,
`function_calling`, `async_queue`, `partner`, `realtime`, ...); every other value is kept as an
attribute under its id (`terms`, `info`, `planned_deprecation_date`, ids not seen before).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from generator.diagnostics import Level
from generator.ingest.facts import Extraction
from generator.ingest.jsonspans import LocatedJson, pointer
from generator.ingest.prices import CLOUDFLARE_UNITS, unit_of

LIMITS = {
    "context_window": "limits.context_window",
    "max_input_tokens": "limits.max_input_tokens",
    "max_total_tokens": "limits.max_total_tokens",
}
_FLAG_WORDS = {"true": True, "yes": True, "false": False, "no": False}
_WHOLE_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
Span = tuple[int, int]


def read_properties(found: Extraction, parsed: LocatedJson) -> None:
    items = parsed.data.get("properties")
    if items is None:
        return
    if not isinstance(items, list):
        found.report(Level.WARNING, _line(parsed, "/properties"), "`properties` is not a list; not read")
        return
    flags: dict[str, tuple[bool, str]] = {}
    prices: list[dict[str, Any]] = []
    price_at: list[str] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        at = pointer("properties", index)
        if not isinstance(item, dict) or not isinstance(item.get("property_id"), str) or "value" not in item:
            found.report(
                Level.WARNING, _line(parsed, at), f"{at} is not a `{{property_id, value}}`; not read"
            )
            continue
        name, value, value_at = item["property_id"], item["value"], f"{at}/value"
        if name in seen:
            found.report(
                Level.WARNING,
                _line(parsed, at),
                f"property {name!r} is given again ({seen[name]}); the last is kept",
            )
        seen[name] = at
        if name == "price" and isinstance(value, list):
            prices += _prices(found, parsed, value_at, value)
            price_at.append(value_at)
        elif name in LIMITS and _whole_number(value) is not None:
            found.state(LIMITS[name], _whole_number(value), parsed.lines(value_at), value_at)
        elif _flag(value) is not None:
            flags[name] = (bool(_flag(value)), value_at)
        else:
            _attribute(found, parsed, name, value, value_at)
    if flags:
        note = "; ".join(f"{at}: {name} {str(on).lower()}" for name, (on, at) in flags.items())
        raised = sorted(name for name, (on, _) in flags.items() if on)
        found.state("flags", raised, _union(parsed, [at for _, at in flags.values()]), note)
    if price_at:
        found.state("pricing", prices, _union(parsed, price_at), ", ".join(price_at))


def _attribute(found: Extraction, parsed: LocatedJson, name: str, value: Any, at: str) -> None:
    if name in LIMITS:
        found.report(
            Level.WARNING,
            _line(parsed, at),
            f"{name} {value!r} is not a whole number; kept as an attribute",
            name,
        )
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)):
        text = parsed.written(at) or str(value)
    else:
        text = json.dumps(value, ensure_ascii=False)
        found.report(
            Level.WARNING, _line(parsed, at), f"property {name!r} is not text; kept as JSON text", name
        )
    found.state(f"attributes.{name}", text, parsed.lines(at), at)


def _prices(found: Extraction, parsed: LocatedJson, at: str, value: list[Any]) -> list[dict[str, Any]]:
    prices = []
    for index, offer in enumerate(value):
        offer_at = f"{at}/{index}"
        price, problem = _price(offer, parsed.written(f"{offer_at}/price"))
        if price is None:
            found.report(
                Level.WARNING, _line(parsed, offer_at), f"price {offer_at} not read: {problem}", "pricing"
            )
        else:
            prices.append(price)
    return prices


def _price(offer: Any, written: str | None) -> tuple[dict[str, Any] | None, str]:
    """One `{unit, price, currency}` as the entry's price; the unit is also kept as written."""
    if not isinstance(offer, dict):
        return None, "not a `{unit, price, currency}` object"
    unit, amount, currency = offer.get("unit"), offer.get("price"), offer.get("currency")
    if not isinstance(unit, str) or not isinstance(currency, str) or not currency:
        return None, "`unit` and `currency` must be text"
    if isinstance(amount, bool) or not isinstance(amount, (int, float, str)):
        return None, "`price` is not a number"
    text = (written if not isinstance(amount, str) else None) or str(amount).strip()
    try:
        Decimal(text)
    except InvalidOperation:
        return None, f"`price` {text!r} is not a number"
    item, per = _unit(unit)
    return {"item": item, "amount": text, "currency": currency, "per": per, "unit": unit}, ""


def _unit(unit: str) -> tuple[str, int]:
    """('per M input tokens') -> ('input_tokens', 1000000); a unit not understood is ('other', 1)."""
    reading = unit_of(unit, units=CLOUDFLARE_UNITS)
    return ("other", 1) if isinstance(reading, str) else reading


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return _FLAG_WORDS.get(value.strip().lower()) if isinstance(value, str) else None


def _whole_number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        return int(value.strip().replace(",", "")) or None
    return None


def _line(parsed: LocatedJson, at: str) -> int | None:
    lines = parsed.lines(at)
    return lines[0] if lines else None


def _union(parsed: LocatedJson, places: list[str]) -> Span | None:
    spans = [span for span in (parsed.lines(at) for at in places) if span]
    return (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
