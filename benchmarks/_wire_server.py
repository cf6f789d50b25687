"""A minimal server of positions pages, run in its own process.

``prerender``: every page of an N-row report rendered at start-up, so serving costs
no CPU that the client is measured against. ``repeat``: the first page's rows rendered
once and served for every offset of a report of N rows (for huge or wide reports),
each row's keyword ID ``Pi`` made unique for its offset (the client refuses a repeated
row). ``--latency``/``--jitter`` delay each answer (seconds, uniform jitter, seeded);
``GET /delays`` tells the delays drawn since it was last asked, by offset.
Prints ``{"port": ...}`` on stdout once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys

import orjson
from aiohttp import web

from .decode import reference_row


def page_body(rows: list[bytes], total: int, limit: int, offset: int) -> bytes:
    body = b",".join(b'"%d":%s' % (k, row) for k, row in enumerate(rows))
    head = b'{"total":"%d","limit":"%d","offset":"%d","data":{' % (total, limit, offset)
    return head + body + b"}}"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--sizes", default="100,1000")
    p.add_argument("--mode", choices=["prerender", "repeat"], default="prerender")
    p.add_argument("--domains", type=int, default=2)
    p.add_argument("--dates", type=int, default=7)
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--jitter", type=float, default=0.0)
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    count = args.rows if args.mode == "prerender" else min(max(sizes), args.rows)
    made = [reference_row(i, args.domains, args.dates) for i in range(count)]
    encoded = [orjson.dumps(row) for row in made]
    pages = {}
    if args.mode == "prerender":
        pages = {
            (offset, size): page_body(encoded[offset : offset + size], args.rows, size, offset)
            for size in sizes
            for offset in range(0, args.rows, size)
        }
    # repeat mode: each row split around its Pi value, to give every offset its own ID
    split = [
        row.split(b'"Pi":"%s"' % str(m["Pi"]).encode())
        for m, row in zip(made, encoded, strict=True)
    ]
    first_id = int(str(made[0]["Pi"]))
    rng = random.Random(1)
    delays: dict[int, float] = {}  # offset -> the delay drawn for it, since the last /delays

    async def handle(request: web.Request) -> web.Response:
        offset = int(request.query.get("display_offset", 0))
        limit = int(request.query.get("display_limit", 100))
        if args.latency:
            delay = args.latency + rng.uniform(-args.jitter, args.jitter)
            delays[offset] = delay
            await asyncio.sleep(delay)
        if args.mode == "repeat":  # the same rows for every page of a huge report
            n = max(min(limit, args.rows - offset), 0)
            rows = [
                b'%s"Pi":"%d"%s' % (head, first_id + offset + k, tail)
                for k, (head, tail) in enumerate(split[:n])
            ]
            body = page_body(rows, args.rows, limit, offset)
        else:
            body = pages[offset, limit]
        return web.Response(body=body, content_type="application/json")

    async def drawn(request: web.Request) -> web.Response:
        """The delays drawn since the last call, by offset (and forget them)."""
        out = {str(k): v for k, v in delays.items()}
        delays.clear()
        return web.json_response(out)

    async def serve() -> None:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_get("/reports/v1/projects/{id}/tracking/", handle)
        app.router.add_get("/delays", drawn)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(json.dumps({"port": runner.addresses[0][1]}), flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
