"""Slow clients: a connection whose request headers trickle in is closed (slowloris).

Uvicorn closes idle kept-alive connections, but waits for ever on a request's headers; its
`http` option takes a protocol class, and this one adds a deadline to them. The body's own
deadline is in bodylimit.py.
"""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeaderDeadline(HttpToolsProtocol):
    # Set once per process from FLOORPULSE_HEADER_TIMEOUT_S; given to uvicorn by its import
    # path, which its worker processes can load (a class made at run time they could not).
    header_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.header_timeout_s, self.transport.close)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
