"""The provider clients use the runtime's default timeout: a short connect timeout, a long read one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def test_the_default_timeout_connects_fast_and_reads_long(sdk: Any) -> None:
    client = sdk.Cloudflare(api_key="k", account_id="a")
    assert client._client.timeout == httpx.Timeout(600.0, connect=5.0)


@pytest.mark.parametrize("timeout", ["5", True, -1, [5], float("nan"), float("inf")])
def test_a_timeout_that_is_no_number_of_seconds_is_refused_where_it_is_given(
    sdk: Any, timeout: object
) -> None:
    """Not deep inside a socket at the first request, as httpx would."""
    message = "timeout must be seconds >= 0, an httpx.Timeout or None"
    with pytest.raises(ValueError, match=message):
        sdk.Cloudflare(api_key="k", account_id="a", timeout=timeout)
    client = sdk.Cloudflare(
        api_key="k", account_id="a", transport=httpx.MockTransport(lambda r: httpx.Response(500))
    )
    with pytest.raises(ValueError, match=message):
        client.with_options(timeout=timeout)
    with pytest.raises(ValueError, match=message):
        client.models.tinyllama_1_1b_chat_v1_0.run(prompt="hi", timeout=timeout)


@pytest.mark.parametrize("timeout", [5, 2.5, None, httpx.Timeout(3.0)])
def test_seconds_a_timeout_or_none_are_taken(sdk: Any, timeout: object) -> None:
    client = sdk.Cloudflare(api_key="k", account_id="a", timeout=timeout)
    assert client.with_options(timeout=timeout)


@pytest.mark.parametrize("max_retries", ["2", 2.5, True, None, -1])
def test_a_max_retries_that_is_no_count_is_refused_alike_on_the_client_and_on_a_call(
    sdk: Any, max_retries: object
) -> None:
    message = "max_retries must be an int >= 0, got "
    with pytest.raises(ValueError, match=message):
        sdk.Cloudflare(api_key="k", account_id="a", max_retries=max_retries)
    client = sdk.Cloudflare(api_key="k", account_id="a")
    with pytest.raises(ValueError, match=message):
        client.with_options(max_retries=max_retries)
    with pytest.raises(ValueError, match=message):
        client.models.tinyllama_1_1b_chat_v1_0.run(prompt="hi", max_retries=max_retries)


def test_credentials_in_the_base_url_are_refused_naming_the_argument_that_takes_them(sdk: Any) -> None:
    with pytest.raises(ValueError, match="must not contain credentials; pass the key as api_key") as caught:
        sdk.Cloudflare(api_key="k", account_id="a", base_url="http://user:PASSWORD123@127.0.0.1:8787")
    assert "PASSWORD123" not in str(caught.value)


def test_your_own_http_clients_timeout_is_kept_unless_one_is_given(sdk: Any) -> None:
    """As openai-python: the timeout you set on your http_client (its pool timeout too) holds."""
    yours = httpx.Client(timeout=httpx.Timeout(1.5, pool=0.5))
    assert sdk.Cloudflare(api_key="k", account_id="a", http_client=yours)._client.timeout == yours.timeout
    given = sdk.Cloudflare(api_key="k", account_id="a", http_client=yours, timeout=9.0)
    assert given._client.timeout == httpx.Timeout(9.0)
    assert sdk.Cloudflare(api_key="k", account_id="a")._client.timeout == httpx.Timeout(600.0, connect=5.0)


def test_an_http_client_or_transport_of_the_other_kind_is_refused_when_the_client_is_built(sdk: Any) -> None:
    with pytest.raises(TypeError, match=r"http_client must be an httpx\.Client, not AsyncClient"):
        sdk.Cloudflare(api_key="k", account_id="a", http_client=httpx.AsyncClient())
    with pytest.raises(TypeError, match=r"http_client must be an httpx\.AsyncClient, not Client"):
        sdk.AsyncCloudflare(api_key="k", account_id="a", http_client=httpx.Client())
    with pytest.raises(TypeError, match=r"transport must be an httpx\.AsyncBaseTransport, not HTTPTransport"):
        sdk.AsyncCloudflare(api_key="k", account_id="a", transport=httpx.HTTPTransport())
    both = httpx.MockTransport(lambda request: httpx.Response(200))  # serves either kind
    assert sdk.Cloudflare(api_key="k", account_id="a", transport=both) is not None
    assert sdk.AsyncCloudflare(api_key="k", account_id="a", transport=both) is not None
