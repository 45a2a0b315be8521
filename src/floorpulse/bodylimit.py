"""Refuses request bodies over the configured size before they are buffered (413), and
bodies that trickle in slower than a deadline per chunk (408)."""

import asyncio

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from floorpulse.errors import problem_response


class BodySizeLimit:
    """Pure ASGI middleware: checks Content-Length up front and counts streamed bytes."""

    def __init__(self, app: ASGIApp, max_bytes: int, chunk_timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.chunk_timeout_s = chunk_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            detail = self._detail(int(declared))
            await problem_response(Request(scope), 413, detail)(scope, receive, send)
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        seen, complete = 0, False

        async def counted() -> Message:
            nonlocal seen, complete
            if complete:  # after the body, receive() waits for a disconnect: no deadline
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.chunk_timeout_s)
            except TimeoutError:
                # The rest of the body may still come: it must not be read as a next request.
                raise HTTPException(408, self._slow(), {"Connection": "close"}) from None
            complete = not message.get("more_body", False)
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:  # a chunked body that declared no length
                raise HTTPException(413, self._detail(seen))
            return message

        return counted

    def _slow(self) -> str:
        return (
            f"no part of the body came for {self.chunk_timeout_s:g} s "
            "(FLOORPULSE_BODY_TIMEOUT_S); send it again"
        )

    def _detail(self, size: int) -> str:
        limit = self.max_bytes
        return f"body of {size} bytes is over the limit of {limit} (FLOORPULSE_MAX_BODY_BYTES)"
