"""Hostile bodies (issue 14, item 2): a gzip bomb with Content-Length stays within the
size cap, measured as the peak memory of a child process."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap

import pytest

from asyncsemrush.errors import ResponseTooLargeError

from ._server import ScriptedServer, reply
from .conftest import make_client

PATH = "/management/v1/projects"
BOMB = gzip.compress(b"[" + b"0," * (200 * 1024 * 1024 // 2) + b"0]", compresslevel=9)


async def test_a_gzip_bomb_is_refused_by_unpacked_size(server: ScriptedServer) -> None:
    assert len(BOMB) < 1024 * 1024  # under a MiB on the wire, 200 MiB unpacked
    server.default(
        PATH,
        reply(body=BOMB, headers={"Content-Encoding": "gzip", "Content-Length": str(len(BOMB))}),
    )
    async with make_client(server.base_url, max_response_bytes=8 * 1024 * 1024) as sr:
        with pytest.raises(ResponseTooLargeError, match="8388608-byte cap"):
            await sr.projects.list()


def test_the_bomb_does_not_inflate_memory() -> None:
    """In a fresh interpreter: peak RSS stays near the cap, not the unpacked size."""
    code = textwrap.dedent(
        """
        import asyncio, gzip, json, resource
        from aiohttp import web
        from asyncsemrush import SemrushClient
        from asyncsemrush.errors import ResponseTooLargeError

        BOMB = gzip.compress(b"[" + b"0," * (200 * 1024 * 1024 // 2) + b"0]", compresslevel=9)

        async def main():
            async def handler(request):
                return web.Response(body=BOMB, headers={"Content-Encoding": "gzip"}, content_type="application/json")
            app = web.Application(); app.router.add_get("/management/v1/projects", handler)
            runner = web.AppRunner(app); await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0); await site.start()
            port = runner.addresses[0][1]
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            async with SemrushClient("0123456789abcdef" * 2, base_url=f"http://127.0.0.1:{port}",
                                     max_response_bytes=8 * 1024 * 1024) as sr:
                try:
                    await sr.projects.list()
                    result = "answered"
                except ResponseTooLargeError:
                    result = "refused"
            await runner.cleanup()
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(json.dumps({"result": result, "grew_kib": after - before}))

        asyncio.run(main())
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["result"] == "refused"
    assert out["grew_kib"] < 64 * 1024  # the cap (8 MiB) plus a margin; unpacked was 200 MiB
