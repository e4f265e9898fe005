"""Keep credentials out of reprs, exception messages, logs and recordings: one rule for every form.

A secret is found raw, in upper or lower case, JSON-escaped (any character as `\\uXXXX`, escapes
nested at any depth), percent-encoded (any character as `%XX`, also double-encoded), as HTML
character references (`&#115;`, `&#x73;`), hex-encoded, base64-encoded (standard or URL-safe
alphabet, at any alignment inside a longer blob), cut short (any PARTIAL characters of it in a row),
and inside binary bodies, since the search runs on bytes. Headers named like credentials (`*key*`,
`*token*`, `*secret*`, `*auth*`, cookies...) are redacted whatever they hold. cardgen's own recorder
loads this very file, so the SDK and the cassettes share the rule.
"""

import base64
import functools
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import httpx

REDACTED = "<redacted>"
SENSITIVE_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization"})
# A word of a header's name (between `-` or `_`) that says it carries a credential: `x-other-key`,
# `set-cookie`, `x-amz-security-token`; not `x-ratelimit-remaining-tokens`, a count.
_SENSITIVE_WORDS = re.compile(
    r"(?:^|[-_])(?:api-?key|key|token|secret|auth|authorization|password|passwd|session|cookie|"
    r"credentials?|signature)(?:$|[-_])",
    re.IGNORECASE,
)
# Base64 cores shorter than this would match ordinary base64 data (an image) by chance.
_MIN_BASE64_CORE = 8
# A run of this many characters of a secret is the secret, cut short; fewer may be anyone's text.
PARTIAL = 16

Secrets = Iterable[str] | Mapping[str, str]


def redact_headers(headers: Mapping[str, str] | list[tuple[str, str]]) -> dict[str, str]:
    """Return a copy of `headers` (a mapping, or a list of name, value pairs such as httpx's
    `multi_items()`) with credential values replaced by a placeholder.

    Pairs come as a list, not any iterable: a mapping keyed by pairs is an iterable of pairs too,
    and would be read as a mapping.
    """
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name: REDACTED if is_sensitive_header(name) else value for name, value in items}


def redact_url(url: "httpx.URL") -> "httpx.URL":
    """The URL with the values of its credential query parameters (`api_key=`, `token=`) redacted."""
    params = url.params
    if not any(is_sensitive_header(name) for name in params):
        return url
    return url.copy_with(
        params=[(name, REDACTED if is_sensitive_header(name) else value) for name, value in params.multi_items()]
    )


def is_sensitive_header(name: str) -> bool:
    """Whether a header of this name carries a credential."""
    return name.lower() in SENSITIVE_HEADERS or _SENSITIVE_WORDS.search(name) is not None


def scrub(text: str, secrets: Secrets) -> str:
    """Replace every secret in `text`, in any form, by its placeholder (`<redacted>` for a plain list)."""
    rules = _rules(secrets)
    if not rules or not text:
        return text
    data = text.encode("utf-8", "surrogatepass")
    scrubbed = _apply(data, rules)
    return text if scrubbed is data else scrubbed.decode("utf-8", "surrogatepass")


def scrub_bytes(data: bytes, secrets: Secrets) -> bytes:
    """Replace every secret in a body, text or binary, in any form, by its placeholder."""
    rules = _rules(secrets)
    return _apply(data, rules) if rules and data else data


# raw, the secret (its escaped pattern is compiled when a text with escapes first needs it), literal
# forms (base64 cores, hex, case), runs of PARTIAL bytes, placeholder
_Rule = tuple[bytes, str, tuple[bytes, ...], tuple[bytes, ...], bytes]


def _rules(secrets: Secrets) -> list[_Rule]:
    """Return the rule of each secret (see _Rule), the longest secret first."""
    # A mapping is secret -> placeholder (cast: pyright reads a Mapping[str, X] into `Iterable[str]`).
    pairs = (
        cast("Mapping[str, str]", secrets).items()
        if isinstance(secrets, Mapping)
        else ((secret, REDACTED) for secret in secrets)
    )
    rules = [
        _rule(secret, placeholder)
        for secret, placeholder in sorted(set(pairs), key=lambda pair: (-len(pair[0]), pair))
        if secret
    ]
    return rules


# Room for the rule, and the escaped pattern, of every secret the SDK remembers (`_sdk_error._MAX_KNOWN`,
# the last 256; two for a `Bearer x` credential), and as many more (a call's own, the recorder's):
# every error message is scrubbed against all of them, and a cache any smaller would build each one
# again for every message. The pattern (a regex of every form of every character: ~1.3 ms to compile,
# ~30 KB) is compiled only when a text with escapes in it is scrubbed.
RULE_CACHE_SIZE = 512


@functools.lru_cache(maxsize=RULE_CACHE_SIZE)
def _rule(secret: str, placeholder: str) -> _Rule:
    raw = secret.encode("utf-8", "surrogatepass")
    cases = (secret.upper(), secret.lower())  # an environment variable may hold a lone surrogate
    literals = {*_base64_cores(raw), *(case.encode("utf-8", "surrogatepass") for case in cases)}
    if len(raw) >= _MIN_BASE64_CORE:  # hex of a shorter secret would match ordinary hex by chance
        literals |= {raw.hex().encode(), raw.hex().upper().encode()}
    literals.discard(raw)
    runs = tuple(raw[i : i + PARTIAL] for i in range(len(raw) - PARTIAL + 1)) if len(raw) > PARTIAL else ()
    ordered = tuple(sorted(literals, key=lambda form: (-len(form), form)))
    return raw, secret, ordered, runs, placeholder.encode("utf-8")


def _apply(data: bytes, rules: list[_Rule]) -> bytes:
    escaped = b"\\" in data or b"%" in data or b"+" in data or b"&#" in data
    result = data
    for raw, secret, literals, _, placeholder in rules:
        if raw in result:
            result = result.replace(raw, placeholder)
        if escaped:
            result = _escaped_pattern(secret).sub(functools.partial(_literal, placeholder), result)
        for literal in literals:
            if literal in result:
                result = result.replace(literal, placeholder)
    # Pieces only once every whole form is out: a piece of `Bearer k` is ` k`, which would take the
    # space before a bare `k` with it (`is<redacted>`), where `k`'s own rule replaces just `k`.
    for raw, _, _, runs, placeholder in rules:
        if any(run in result for run in runs):
            result = _cut_short(result, raw, runs, placeholder)
    return result


def _cut_short(data: bytes, raw: bytes, runs: tuple[bytes, ...], placeholder: bytes) -> bytes:
    """Replace each longest piece of data that is a run of at least PARTIAL bytes of the secret."""
    for offset, run in enumerate(runs):
        start = data.find(run)
        while start != -1:
            end = start + len(run)
            while (
                end < len(data)
                and offset + (end - start) < len(raw)
                and data[end] == raw[offset + end - start]
            ):
                end += 1
            first = offset
            while start > 0 and first > 0 and data[start - 1] == raw[first - 1]:
                start, first = start - 1, first - 1
            data = data[:start] + placeholder + data[end:]
            start = data.find(run, start + len(placeholder))
    return data


def _literal(text: bytes, _match: "re.Match[bytes]") -> bytes:
    """The placeholder itself, with no group references read into it as `re.sub` would."""
    return text


@functools.lru_cache(maxsize=RULE_CACHE_SIZE)
def _escaped_pattern(secret: str) -> "re.Pattern[bytes]":
    """Match the secret with each character raw, `\\uXXXX`-escaped or percent-encoded, mixed freely."""
    return re.compile(b"".join(_char_forms(char) for char in secret))


def _char_forms(char: str) -> bytes:
    forms = [re.escape(char.encode("utf-8", "surrogatepass"))]
    if char == " ":
        forms.append(rb"\+")
    if char in '/"\\':
        forms.append(rb"\\+" + re.escape(char.encode()))
    code = ord(char)
    if code < 0x10000:
        forms.append(rb"\\+u" + _hex(f"{code:04x}"))
    forms.append(f"&#0*{code};".encode() + b"|&#[xX]0*" + _hex(f"{code:x}") + b";")
    forms.append(
        b"".join(rb"%(?:25)*" + _hex(f"{byte:02x}") for byte in char.encode("utf-8", "surrogatepass"))
    )
    return b"(?:" + b"|".join(forms) + b")"


def _hex(digits: str) -> bytes:
    """Return a pattern for hexadecimal digits in either case."""
    return b"".join(
        f"[{digit}{digit.upper()}]".encode() if digit.isalpha() else digit.encode() for digit in digits
    )


def _base64_cores(raw: bytes) -> tuple[bytes, ...]:
    """Return the base64 text the secret always encodes to, whatever bytes come before it."""
    cores: set[bytes] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        # The leading characters mix in the preceding bytes, the trailing ones the following bytes.
        start = (offset * 8 + 5) // 6
        stop = ((offset + len(raw)) * 8) // 6
        core = encoded[start:stop]
        if len(core) >= _MIN_BASE64_CORE:
            cores.add(core)
            cores.add(core.replace(b"+", b"-").replace(b"/", b"_"))
    return tuple(sorted(cores, key=lambda core: (-len(core), core)))
