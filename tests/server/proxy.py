"""A loopback HTTP proxy that misbehaves on request: answers 500 or 429, holds requests, or cuts
the connection after the server has answered (the server stored the batch; the client never
hears so). Speaks just enough HTTP/1.1 for httpx and uvicorn (Content-Length bodies)."""

import asyncio
import threading
from typing import Literal

Mode = Literal["pass", "500", "429", "hold", "cut"]
CANNED = {
    "500": b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
    "429": b"HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n",
}


class FaultProxy:
    """Forwards 127.0.0.1:<port> to an upstream port, with `mode` applied to each request."""

    def __init__(self, port: int, upstream_port: int) -> None:
        self.port = port
        self.upstream_port = upstream_port
        self.mode: Mode = "pass"
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._stopping: asyncio.Future[None] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise TimeoutError("proxy did not start")

    def close(self) -> None:
        assert self._stopping is not None
        self._loop.call_soon_threadsafe(self._stopping.set_result, None)
        self._thread.join(10)

    def _run(self) -> None:
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stopping = self._loop.create_future()
        server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self._ready.set()
        await self._stopping
        server.close()
        connections = asyncio.all_tasks() - {asyncio.current_task()}
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
        await asyncio.sleep(0)  # let the closed transports finish closing

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request := await _read_message(reader):
                self.requests += 1
                if not await self._answer(request, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _answer(self, request: bytes, writer: asyncio.StreamWriter) -> bool:
        """Answer one request as the mode says; False when the connection is to be cut."""
        mode = self.mode
        if mode in CANNED:
            writer.write(CANNED[mode])
            await writer.drain()
            return True
        while mode == "hold":
            await asyncio.sleep(0.05)
            mode = self.mode
        response = await self._forward(request)
        if mode == "cut":
            return False
        writer.write(response)
        await writer.drain()
        return True

    async def _forward(self, request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            writer.write(request)
            await writer.drain()
            return await _read_message(reader)
        finally:
            writer.close()


async def _read_message(reader: asyncio.StreamReader) -> bytes:
    """One HTTP message (head and Content-Length body); b"" at end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return b""
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return head + await reader.readexactly(length)
