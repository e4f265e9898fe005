"""The provider clients use the runtime's default timeout: a short connect timeout, a long read one."""

from __future__ import annotations

from typing import Any

import httpx


def test_the_default_timeout_connects_fast_and_reads_long(sdk: Any) -> None:
    client = sdk.Cloudflare(api_key="k", account_id="a")
    assert client._client.timeout == httpx.Timeout(600.0, connect=5.0)
