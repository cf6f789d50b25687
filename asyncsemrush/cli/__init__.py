"""The ``asyncsemrush`` command (grows into the full CLI with the `cli` extra)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``asyncsemrush`` command."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["demo"]:
        print("asyncsemrush demo: coming soon (the demo pull against the embedded sandbox).")
        return 0
    print("usage: asyncsemrush demo", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
