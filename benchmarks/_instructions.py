"""One figure's pull in a fresh interpreter under callgrind, counted from its first
request to its last row: the CPU work a figure does, as a number that does not depend
on what else the machine is doing.

``valgrind --tool=callgrind --instr-atstart=no python -m benchmarks._instructions
FIGURE BASE MASKS DAY ROWS SIZE CONC`` prints one JSON line (rows, checksum); the
instructions executed between the two switches are callgrind's ``Collected`` line on
stderr (:func:`benchmarks.run.collected`). The imports, the interpreter's start-up and
the exit are not counted; the pull's own client, session and event loop are.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from . import figures

#: callgrind, counting only between :func:`instrument` switches, writing no file.
CALLGRIND = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null"]


def instrument(on: bool) -> None:
    """Switch callgrind's counting on or off for this process (returns once it is)."""
    subprocess.run(
        ["callgrind_control", "--instr=" + ("on" if on else "off"), str(os.getpid())],
        check=True,
        capture_output=True,
    )


def main() -> int:
    figure, base, masks, day, rows, size, conc = sys.argv[1:8]
    pull = figures.by_name(figure, base, masks, day, int(rows), int(size), int(conc))
    instrument(True)
    got, checksum = asyncio.run(pull)
    instrument(False)
    print(json.dumps({"rows": got, "checksum": checksum}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
