"""Decoding a positions page: stdlib json vs orjson, measured in one run.

The row is the reference's tracking_position_organic example (7 dates x 2 domains),
completed where the reference elides it with "...", repeated into a 1,000-row page.
Prints the median over interleaved runs and the ratio.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import orjson

DOMAINS = ("*.alibaba.com/*", "*.aliexpress.com/*")
DATES = [f"201504{d}" for d in range(14, 21)]

#: The row shapes measured: domains x dates (the reference's 2 x 7, and a wide 6 x 30).
SHAPES = {"2x7": (2, 7), "6x30": (6, 30)}


def shape_of(domains: int, dates: int) -> tuple[tuple[str, ...], list[str]]:
    """The url masks and wire dates (``YYYYMMDD``) of a row shape."""
    if (domains, dates) == (2, 7):
        return DOMAINS, DATES
    masks = tuple(f"*.domain{n}.com/*" for n in range(domains))
    first = 20150401
    return masks, [str(first + n) for n in range(dates)] if dates <= 30 else []


def reference_row(i: int, domains: int = 2, dates: int = 7) -> dict[str, object]:
    """The reference's positions row (``domains`` x ``dates``), numbered ``i``: some
    domains rank, some not (``""``), as the wire sends them."""
    masks, days = shape_of(domains, dates)

    def pos(n: int) -> str:
        return "" if n % 2 else str(1 + (i + n) % 100)

    per_date = {d: {m: pos(n + k) for n, m in enumerate(masks)} for k, d in enumerate(days)}
    by_domain = {m: pos(n) for n, m in enumerate(masks)}
    return {
        "Pi": str(1209571576516105373 + i),
        "Ph": f"pig trough {i}",
        "Tg": {},
        "Cp": "0.25",
        "Nq": "1300",
        "Dt": per_date,
        "Lt": {d: {m: "org" for m in masks} for d in days},
        "Lu": {d: {m: f"http://www.{m[2:-2]}/" for m in masks} for d in days},
        "Be": by_domain,
        "Fi": by_domain,
        "Diff": {m: 0 for m in masks},
        "Diff1": {m: 0 for m in masks},
        "Diff7": {m: 0 for m in masks},
        "Diff30": {m: 0 for m in masks},
    }


def page(rows: int = 1000, domains: int = 2, dates: int = 7) -> bytes:
    data = {str(i): reference_row(i, domains, dates) for i in range(rows)}
    return orjson.dumps({"total": "100000", "limit": str(rows), "offset": "0", "data": data})


def main(rounds: int = 7) -> int:
    body = page()
    decoders = {"json": lambda b: json.loads(b), "orjson": orjson.loads}
    assert decoders["json"](body) == decoders["orjson"](body)
    timings: dict[str, list[float]] = {name: [] for name in decoders}
    for _ in range(rounds):  # interleaved, so drift hits both alike
        for name, fn in decoders.items():
            t0 = time.perf_counter()
            for _ in range(10):
                fn(body)
            timings[name].append((time.perf_counter() - t0) / 10)
    med = {name: statistics.median(ts) for name, ts in timings.items()}
    per_row = {name: m / 1000 * 1e6 for name, m in med.items()}
    print(f"page: 1000 rows, {len(body) / 1000:.0f} kB ({len(body) / 1000 / 1000:.2f} kB/row)")
    for name in decoders:
        print(f"{name:7s} median {med[name] * 1e3:7.2f} ms/page  {per_row[name]:5.1f} us/row")
    print(f"orjson speedup over json: {med['json'] / med['orjson']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
