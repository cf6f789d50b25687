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


async def test_integers_beyond_64_bits_are_refused_not_changed(server: ScriptedServer) -> None:
    """orjson decodes 2**70 + 1 as the float 2**70: an ID or a count read from it would be
    silently wrong. Such a value is refused with a typed error naming it."""
    from asyncsemrush import _convert
    from asyncsemrush.errors import ResponseFormatError

    big = 2**64 + 1
    project = {"project_id": big, "project_name": "p", "url": "p.com", "tools": []}
    server.default(PATH, reply(body=json.dumps([project])))
    _convert.set_strict(False)
    try:
        async with make_client(server.base_url) as sr:
            with pytest.raises(ResponseFormatError, match=r"project_id") as info:
                await sr.projects.list()
        assert info.value.answer[0]["project_id"] == float(big)  # the paid answer, as decoded
        (row,) = _convert.rows(
            [{"Pi": "1", "Ph": "k", "Nq": float(2**70 + 1), "Cp": 1.5}],
            __import__("asyncsemrush").models.PositionRow,
        )
        assert row.cpc == 1.5  # the rest of the row reads
        with pytest.raises(ResponseFormatError, match="Nq"):
            _ = row.volume
    finally:
        _convert.set_strict(True)


def test_an_export_keeps_a_huge_integer_exact(tmp_path: object) -> None:
    from pathlib import Path

    from asyncsemrush._export import JsonlSink

    out = Path(str(tmp_path)) / "rows.jsonl"
    sink = JsonlSink(out)
    sink.write([{"id": 2**70 + 1, "name": "x"}])  # raw rows may hold what orjson refuses
    sink.close()
    assert json.loads(out.read_text()) == {"id": 2**70 + 1, "name": "x"}
    from asyncsemrush._export import CsvSink, ParquetSink
    from asyncsemrush.errors import ExportError

    csv_out = Path(str(tmp_path)) / "rows.csv"
    sink2 = CsvSink(csv_out)
    sink2.write([{"id": 2**70 + 1}])
    sink2.close()
    assert csv_out.read_text().splitlines()[1] == str(2**70 + 1)  # exact
    parquet = ParquetSink(Path(str(tmp_path)) / "rows.parquet")
    with pytest.raises(ExportError, match="CSV and JSON-lines keep it exactly"):
        parquet.write([{"id": 2**70 + 1}])  # was a bare OverflowError
    parquet.close()
