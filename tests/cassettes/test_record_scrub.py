"""`cardgen record` scrubs by the SDK's own rule: every secret in every form, binary bodies included."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote

import httpx
import pytest

from generator.cassettes import scrub
from generator.cassettes.plan import plan_requests
from generator.cassettes.record import Credentials, exchange
from tests.cassettes.conftest import entry_named

KEY = "tok_SECRET_5151/x"
ACCOUNT = "acct_SECRET_7272"
SECRETS = {KEY: "API_KEY", ACCOUNT: "ACCOUNT_ID"}


def forms(secret: str) -> list[str]:
    """The secret as a response may carry it: raw, JSON-escaped, percent-encoded, base64."""
    return [
        secret,
        secret.replace("_", "\\u005f"),
        "".join(f"\\u{ord(c):04X}" for c in secret),
        secret.replace("_", "\\\\u005f"),
        json.dumps(secret).strip('"').replace("/", "\\/"),
        quote(secret, safe=""),
        re.sub("%[0-9A-F]{2}", lambda match: match.group().lower(), quote(secret, safe="")),
        quote(quote(secret, safe=""), safe=""),
        base64.b64encode(secret.encode()).decode(),
        base64.b64encode(b"user:" + secret.encode()).decode(),
        base64.urlsafe_b64encode(b"xy" + secret.encode() + b"z").decode(),
    ]


def assert_clean(data: bytes | str) -> None:
    raw = data if isinstance(data, bytes) else data.encode()
    for secret in SECRETS:
        for form in forms(secret):
            assert form.encode() not in raw, form
        for core in ("SECRET_5151", "SECRET_7272", "SECRET\\u005f", "SECRET%5F"):
            assert core.encode() not in raw


@pytest.mark.parametrize("form", range(len(forms(KEY))))
def test_the_rule_finds_each_form_in_text_and_in_bytes(form: int) -> None:
    for secret in SECRETS:
        carried = forms(secret)[form]
        text = f'{{"echo": "before {carried} after"}}'
        assert_clean(scrub.scrub_text(text, SECRETS))
        blob = b"\x89PNG\r\n\x1a\n\xff\xfe" + carried.encode() + b"\x00\xc3"
        cleaned = scrub.scrub_bytes(blob, SECRETS)
        assert_clean(cleaned)
        assert cleaned.startswith(b"\x89PNG\r\n\x1a\n\xff\xfe") and cleaned.endswith(b"\x00\xc3")


def test_ordinary_text_and_binary_are_left_alone() -> None:
    text = 'a "quoted" \\u0041 %41 YWJj text'
    assert scrub.scrub_text(text, SECRETS) == text
    blob = bytes(range(256)) * 8
    assert scrub.scrub_bytes(blob, SECRETS) == blob


def test_the_recorder_loads_the_runtime_file_itself() -> None:
    assert str(scrub.redact.__file__).endswith("generator/templates/runtime/_redact.py")


def test_a_recorded_exchange_holds_no_secret_in_any_form_or_place() -> None:
    entry = entry_named("cloudflare", "tinyllama_1_1b_chat_v1_0")
    [planned] = [p for p in plan_requests(entry) if not p.stream][:1]
    every_form = " ".join(form for secret in SECRETS for form in forms(secret))

    def echo(request: httpx.Request) -> httpx.Response:
        body = (
            b"\x89PNG\r\n\x1a\n\xff"
            + every_form.encode()
            + b"\x00"
            + request.headers["authorization"].encode()
        )
        headers = [
            ("content-type", "image/png"),
            ("x-echo", quote(KEY, safe="")),
            ("x-account", ACCOUNT),
            ("x-amz-security-token", "t0ken-of-another-kind"),  # not our secret, but a credential
        ]
        return httpx.Response(200, headers=headers, content=body)

    credentials = Credentials(KEY, {"account_id": ACCOUNT})
    with httpx.Client(transport=httpx.MockTransport(echo)) as client:
        interaction = exchange(client, entry, "http://backend.test", planned, credentials)
    assert isinstance(interaction.response_body, bytes)
    assert interaction.response_body.startswith(b"\x89PNG")
    assert b"API_KEY" in interaction.response_body and b"ACCOUNT_ID" in interaction.response_body
    assert_clean(interaction.response_body)
    assert_clean(repr(interaction))
    assert ("x-amz-security-token", "<redacted>") in interaction.response_headers
