"""Profile the hot path once: a typed 100,000-row pull (page 1000, prefetch 4).

``python -m benchmarks.profile`` prints pyinstrument's view; the top costs and what
was done about them are in RESULTS.md.
"""

from __future__ import annotations

import asyncio
import sys

from .run import client_pull, wire_server


def main() -> int:
    from pyinstrument import Profiler

    with wire_server(100_000) as base:
        profiler = Profiler(interval=0.0005)
        profiler.start()
        asyncio.run(client_pull(base, 100_000, 1000, 4, False))
        profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
