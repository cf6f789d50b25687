"""A scriptable HTTP server on 127.0.0.1 for transport tests.

Each test queues answers for a path; every request is recorded with its arrival time.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: bytes
    time: float


def reply(
    status: int = 200,
    body: bytes | str = b"{}",
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        data = body.encode() if isinstance(body, str) else body
        return web.Response(status=status, body=data, content_type=content_type, headers=headers)

    return handler


def hang() -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    return handler


def drop() -> Handler:
    """Close the connection without answering."""

    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        await asyncio.sleep(0.05)
        return web.Response()

    return handler


class ScriptedServer:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._script: dict[str, deque[Handler]] = defaultdict(deque)
        self._default: dict[str, Handler] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.in_flight = 0
        self.max_in_flight = 0
        self.arrived = asyncio.Event()  # set once a request has arrived

    def queue(self, path: str, *handlers: Handler) -> None:
        self._script[path].extend(handlers)

    def default(self, path: str, handler: Handler) -> None:
        self._default[path] = handler

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(
            Seen(request.method, request.path, dict(request.query), body, time.monotonic())
        )
        self.arrived.set()
        script = self._script.get(request.path)
        handler = script.popleft() if script else self._default.get(request.path)
        if handler is None:
            return web.json_response({"code": 519, "message": "no script"}, status=400)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1

    def paths(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def json_body(data: Any) -> bytes:
    import orjson

    return orjson.dumps(data)
