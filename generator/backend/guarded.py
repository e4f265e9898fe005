"""uvicorn's h11 protocol with a deadline for each request's head, so slow clients cannot hold the server.

uvicorn closes idle keep-alive connections but waits for a request's headers for ever: sixty
clients sending a byte now and then hold sixty connections. Here a connection whose request line and
headers have not all arrived `header_timeout` seconds after it opened (or after its previous
answer) is closed. The body has its own deadline in the app (`BackendOptions.body_timeout`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

LOG = logging.getLogger("cardgen.backend")


class _HeadDeadlineProtocol(H11Protocol):
    header_timeout = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_overdue)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_overdue(self) -> None:
        self._head_timer = None
        # IDLE: the client has not finished sending a request line and headers (or sent nothing).
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            LOG.info("closed a connection whose request head took over %gs", self.header_timeout)
            self.transport.close()


def head_deadline_protocol(header_timeout: float) -> type[Any]:
    """Return the h11 protocol class closing connections whose request head is slower than header_timeout."""
    return type("HeadDeadlineH11Protocol", (_HeadDeadlineProtocol,), {"header_timeout": header_timeout})
