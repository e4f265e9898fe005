"""Which headers a cassette keeps. Shipped with the harness and loaded by `cardgen record`: one copy of the rule."""

# Request headers are kept by allowlist, so no auth header (whatever its name) is ever stored.
KEPT_REQUEST_HEADERS = frozenset({"accept", "content-type"})
# Response headers that differ on every run, describe the connection, or carry credentials.
DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "authorization",
        "connection",
        "content-encoding",
        "content-length",
        "cookie",
        "date",
        "keep-alive",
        "proxy-authorization",
        "server",
        "set-cookie",
        "transfer-encoding",
        "x-api-key",
    }
)
