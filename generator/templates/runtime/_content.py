"""Read response bodies according to their content type."""

import json

import httpx

JSON = "application/json"
EVENT_STREAM = "text/event-stream"


def media_type(response: httpx.Response) -> str:
    """Return the response's media type, lower-cased, without parameters."""
    return media_of(str(response.headers.get("content-type", "")))


def media_of(content_type: str) -> str:
    """Return a content type's media type, lower-cased, without parameters."""
    return content_type.partition(";")[0].strip().lower()


def is_json(media: str) -> bool:
    """Return whether a media type is JSON."""
    return media == JSON or media.endswith("+json")


def decode_lenient(response: httpx.Response) -> object:
    """Return a read body decoded as JSON when it is JSON, else as text."""
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text
