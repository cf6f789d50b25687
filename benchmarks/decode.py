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


def reference_row(i: int) -> dict[str, object]:
    per_date = {d: {DOMAINS[0]: "1", DOMAINS[1]: ""} for d in DATES}
    return {
        "Pi": str(1209571576516105373 + i),
        "Ph": f"pig trough {i}",
        "Tg": {},
        "Cp": "0.25",
        "Nq": "1300",
        "Dt": per_date,
        "Lt": {d: {DOMAINS[0]: "org", DOMAINS[1]: "org"} for d in DATES},
        "Lu": {
            d: {DOMAINS[0]: "http://www.alibaba.com/", DOMAINS[1]: "http://www.aliexpress.com/"}
            for d in DATES
        },
        "Be": {DOMAINS[0]: "1", DOMAINS[1]: ""},
        "Fi": {DOMAINS[0]: "1", DOMAINS[1]: ""},
        "Diff": {DOMAINS[0]: 0, DOMAINS[1]: 0},
        "Diff1": {DOMAINS[0]: 0, DOMAINS[1]: 0},
        "Diff7": {DOMAINS[0]: 0, DOMAINS[1]: 0},
        "Diff30": {DOMAINS[0]: 0, DOMAINS[1]: 0},
    }


def page(rows: int = 1000) -> bytes:
    data = {str(i): reference_row(i) for i in range(rows)}
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
