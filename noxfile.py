"""Sessions: tests, lint, typecheck (bench and demo grow with their issues)."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
PYTHON = None  # the interpreter nox itself runs on


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite over real loopback HTTP, warnings about unclosed resources fatal."""
    session.install(
        "-c", "constraints-test.txt", "-e", ".[test,cli,parquet,frames,redis,duckdb,mcp]"
    )
    session.run("pytest", "-W", "error::ResourceWarning", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    # with every extra the package imports, so their types are checked, not assumed
    session.install("-e", ".[test,cli,redis,duckdb,mcp]", "mypy>=1.11")
    session.run("mypy", "--strict", "asyncsemrush")
    # the public API as the README uses it
    session.run("mypy", "--strict", "tests/typing")


@nox.session(python=PYTHON)
def audit(session: nox.Session) -> None:
    """pip-audit of the runtime dependencies (needs PyPI's JSON API or OSV reachable)."""
    session.install("-e", ".[cli]", "pip-audit")
    session.run("pip-audit", "--local", "--strict", *session.posargs)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The demo pull against the embedded sandbox (writes positions.csv)."""
    session.install("-e", ".[cli]")
    session.run("asyncsemrush", "demo", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks: `nox -s bench -- --quick` (about 2 minutes) or the full run.

    Prints one line per target (measured ratio, target, PASS/FAIL) and fails on a FAIL.
    `httpx` is installed only here: the second bare-client reference (issue 15). The
    instructions-a-row section runs where Debian's `valgrind` is installed (callgrind
    counts each figure's CPU work; apt-get install valgrind), and says so where it is not.
    """
    session.install("-e", ".", "httpx")
    session.run("python", "-m", "benchmarks.decode")
    session.run("python", "-m", "benchmarks.run", *session.posargs)
