"""Prices written in words: an amount with a currency, per some unit ("$0.10 Per Million Tokens")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "₹": "INR"}
_CODES = "USD|EUR|GBP|INR"
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+"
_MONEY = re.compile(
    rf"(?P<symbol>US\$|[$€£₹])\s*(?P<before>{_AMOUNT})(?:\s*(?P<code_after_symbol>{_CODES})\b)?"
    rf"|(?P<after>{_AMOUNT})\s*(?P<code>{_CODES})\b"
    rf"|\b(?P<lead>{_CODES})\s*(?P<amount>{_AMOUNT})",
    re.IGNORECASE,
)
# "per 1M input tokens", "/ image", "per million tokens", "per M input tokens", "per audio minute",
# "per 512 by 512 tile": what one amount buys.
_PER = re.compile(
    r"^\s*\(?\s*(?:\bper\b|/)\s*"
    r"(?:\d+\s*(?:by|x|\u00d7)\s*\d+\s+|(?P<count>\d[\d,]*(?:\.\d+)?)\s*)?"  # a tile's size is no count
    r"(?:(?:a\s+)?(?P<scale>[kmb]|thousand|million|billion)\b\s*)?"
    r"(?:(?P<side>input|output|prompt|completion|generated)\s+)?"
    r"(?:audio\s+)?"
    r"(?P<unit>[a-z]+)",
    re.IGNORECASE,
)
_PER_ANYWHERE = re.compile(r"(?:\bper\b|/)\s*(?:\d|[a-z])", re.IGNORECASE)
_SCALES = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000, "b": 10**9, "billion": 10**9}
# Unit word -> (the entry's item, how many of that item one unit is).
_UNITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("token", "tokens"), ("tokens", 1)),
    **dict.fromkeys(("request", "requests", "call", "calls"), ("request", 1)),
    **dict.fromkeys(("image", "images", "picture", "pictures"), ("image", 1)),
    **dict.fromkeys(("second", "seconds", "sec", "secs"), ("second", 1)),
    **dict.fromkeys(("minute", "minutes", "min", "mins"), ("second", 60)),
    **dict.fromkeys(("hour", "hours", "hr", "hrs"), ("second", 3600)),
    **dict.fromkeys(("character", "characters", "char", "chars"), ("character", 1)),
    **dict.fromkeys(("credit", "credits"), ("credits", 1)),
}
# Cloudflare's JSON prices also buy diffusion steps and image tiles.
CLOUDFLARE_UNITS = {
    **_UNITS,
    **dict.fromkeys(("step", "steps"), ("step", 1)),
    **dict.fromkeys(("tile", "tiles"), ("tile", 1)),
}
_SIDES = {
    "input": "input",
    "prompt": "input",
    "output": "output",
    "completion": "output",
    "generated": "output",
}


@dataclass(frozen=True)
class PriceReading:
    """The prices one cell states, and why any part of it could not be read."""

    prices: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None


def read_prices(label: str, value: str) -> PriceReading:
    """Each amount in `value` with the unit after it, or else the unit the label names ("Cost (Per Image)")."""
    amounts = list(_MONEY.finditer(value))
    if not amounts:
        return PriceReading(problem="no amount with a currency ('$0.10', '0.0004 USD')")
    prices = []
    for index, money in enumerate(amounts):
        end = amounts[index + 1].start() if index + 1 < len(amounts) else len(value)
        unit_text = value[money.end() : end]
        if _PER_ANYWHERE.search(unit_text) is None and len(amounts) == 1:
            unit_text = _label_unit(label)
        price = _price(money, unit_text, label)
        if isinstance(price, str):
            return PriceReading(problem=price)
        prices.append(price)
    return PriceReading(prices)


def _label_unit(label: str) -> str:
    per = _PER_ANYWHERE.search(label)
    return label[per.start() :] if per else ""


def _price(money: re.Match[str], unit_text: str, label: str) -> dict[str, Any] | str:
    raw = (money.group("before") or money.group("after") or money.group("amount")).replace(",", "")
    symbol, code = money.group("symbol"), money.group("code") or money.group("lead")
    code = code or money.group("code_after_symbol")
    currency = code.upper() if code else _SYMBOLS[symbol.lower()]
    unit = unit_of(unit_text, label)
    if isinstance(unit, str):
        return f"{money.group(0).strip()!r} {unit}" if unit.startswith("is not followed") else unit
    item, per = unit
    return {"item": item, "amount": raw, "currency": currency, "per": per}


def unit_of(text: str, label: str = "", units: dict[str, tuple[str, int]] = _UNITS) -> tuple[str, int] | str:
    """What one amount buys, as (the entry's item, how many): 'per M input tokens' -> ('input_tokens',
    1000000); or why it cannot be read. The one reading of price units, for every format."""
    per = _PER.match(text)
    if per is None:
        return "is not followed by what it buys ('per image', '/ 1M tokens')"
    unit = per.group("unit").lower()
    if unit not in units:
        return f"unit {unit!r} is none of tokens, requests, images, seconds, characters, credits"
    item, size = units[unit]
    count = _count(per)
    if count is None:
        return f"{per.group(0).strip()!r} is not a whole number of {unit}"
    if item == "tokens":
        side = _SIDES.get((per.group("side") or "").lower()) or _label_side(label)
        item = f"{side}_tokens" if side else item
    return item, count * size


def _count(per: re.Match[str]) -> int | None:
    scale = _SCALES.get((per.group("scale") or "").lower(), 1)
    total = Decimal((per.group("count") or "1").replace(",", "")) * scale
    return int(total) if total == total.to_integral_value() and total > 0 else None


def _label_side(label: str) -> str | None:
    words = re.findall(r"[a-z]+", label.lower())
    return next((_SIDES[word] for word in words if word in _SIDES), None)
