"""``python -m asyncsemrush.sandbox``: serve the sandbox until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys

from . import EDITIONS, Faults, Sandbox


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m asyncsemrush.sandbox",
        description="Serve a local Semrush Projects API (deterministic synthetic data).",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keywords", type=int, default=1_000, help="keywords in the demo campaign")
    p.add_argument("--competitors", type=int, default=2)
    p.add_argument("--units", type=int, default=10_000_000, help="starting unit balance")
    p.add_argument("--rate-limit", type=float, default=10.0, help="requests/s before HTTP 429")
    p.add_argument("--error-5xx", type=float, default=0.0, help="probability of a 503")
    p.add_argument("--rate-429", type=float, default=0.0, help="probability of a 429")
    p.add_argument("--drop", type=float, default=0.0, help="probability of a dropped connection")
    p.add_argument("--truncate", type=float, default=0.0, help="probability of a truncated body")
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to each request")
    p.add_argument("--jitter", type=float, default=0.0, help="± seconds around --latency")
    p.add_argument("--fault-seed", type=int, default=0)
    p.add_argument(
        "--edition",
        choices=EDITIONS,
        default="today",
        help="answer in today's documented shapes (default) or the 2015 reference's",
    )
    return p.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    faults = Faults(
        error_5xx=args.error_5xx,
        rate_429=args.rate_429,
        drop=args.drop,
        truncate=args.truncate,
        latency=args.latency,
        jitter=args.jitter,
        seed=args.fault_seed,
    )
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        seed=args.seed,
        keywords=args.keywords,
        competitors=args.competitors,
        units=args.units,
        rate_limit=args.rate_limit or None,
        faults=faults,
        edition=args.edition,
    )
    async with sandbox:
        # The sandbox's key is a made-up test key: printing it is the point.
        print(json.dumps(sandbox.describe()), flush=True)
        print(f"serving on {sandbox.base_url}; Ctrl-C to stop", file=sys.stderr, flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(args))
    except OSError as exc:  # the port is taken, or the host cannot be bound
        print(
            f"error: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}"
            " (another port: --port N, or 0 for a free one)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
