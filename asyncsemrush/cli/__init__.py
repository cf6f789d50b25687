"""The ``asyncsemrush`` command (needs the ``cli`` extra: click and rich)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``asyncsemrush`` command."""
    try:
        from ._app import cli
    except ImportError as exc:  # pragma: no cover - only without the extra
        print(
            f"the asyncsemrush command needs its extra ({exc.name} is missing): "
            "pip install 'asyncsemrush[cli]'",
            file=sys.stderr,
        )
        return 1
    args = sys.argv[1:] if argv is None else argv
    try:
        # Without standalone mode click returns the exit code instead of exiting.
        code = cli.main(
            args=args, prog_name="asyncsemrush", obj={"argv": args}, standalone_mode=False
        )
    except SystemExit as exc:  # pragma: no cover - click exits through ctx.exit
        return int(exc.code or 0)
    except Exception as exc:
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return 2
        if isinstance(exc, click.exceptions.Exit):
            return exc.exit_code
        raise
    return code if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
