"""Profile the typed pull once, with the reading consumer (page 1000, prefetch 4).

``python -m benchmarks.profile [2x7|6x30]`` prints cProfile's top costs (standard
library: nothing to install); what was done about them is in RESULTS.md.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys

from . import consumers, figures
from .run import masks_of, wire_server


def main() -> int:
    shape = sys.argv[1] if len(sys.argv) > 1 else "2x7"
    rows = 50_000 if shape == "2x7" else 5_000
    masks, day = masks_of(shape)
    read = consumers.read_typed(masks.split(":")[0], day)
    mode = "prerender" if shape == "2x7" else "repeat"
    with wire_server(rows, shape, mode) as base:
        asyncio.run(figures.library(base, masks, rows, 1000, 4, read, raw=False))  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(figures.library(base, masks, rows, 1000, 4, read, raw=False))
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
