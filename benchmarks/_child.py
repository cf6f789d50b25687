"""One figure's pull in a fresh interpreter, reporting its own peak memory.

``python -m benchmarks._child FIGURE BASE MASKS DAY ROWS SIZE CONC`` prints one JSON
line: rows, checksum, and ``VmHWM`` (the process's own resident peak, in KiB; a child
forked from a big parent would report the parent's peak through ``ru_maxrss``).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys

from . import figures


def peak_kib() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> int:
    figure, base, masks, day, rows, size, conc = sys.argv[1:8]
    run = figures.by_name(figure, base, masks, day, int(rows), int(size), int(conc))
    got, checksum = asyncio.run(run)
    print(json.dumps({"rows": got, "checksum": checksum, "peak_kib": peak_kib()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
