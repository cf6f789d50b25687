"""How a command runs: the client (or an in-process sandbox), progress, output, exit codes.

Exit codes: 0 ok, 1 API or usage error, 2 bad input, 3 budget or balance exhausted,
130 interrupted. Progress and summaries go to stderr, data to stdout or ``-o``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import re
import shlex
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
import click
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .. import RetryPolicy, SemrushClient, UnitBudget
from .._export import LAYOUT_COLUMNS, CsvSink, JsonlSink, ParquetSink, Sink, records, select
from .._ledger import LedgerEntry
from ..errors import (
    BudgetExceededError,
    InvalidParameterError,
    PartialResponseError,
    QuotaError,
    SemrushError,
)
from ..pagination import AsyncPaginator
from ..pricing import dollars

EXIT_OK, EXIT_API, EXIT_INPUT, EXIT_BUDGET, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
FORMATS = ("table", "csv", "jsonl", "parquet")
#: Seconds between progress lines when stderr is not a terminal.
PLAIN_PROGRESS_SECONDS = 5.0
#: File suffixes and the format each one means.
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
NO_KEY = (
    "no API key: pass --api-key or set SEMRUSH_API_KEY (Semrush: Subscription info), "
    "or try --sandbox to run against a local emulator"
)


class Exit(Exception):
    """Leave the command with an exit code (the message is already printed)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@attrs.define
class Settings:
    """Options from the command line (the group's, overridden by the command's)."""

    api_key: str | None = None
    sandbox: bool = False
    sandbox_edition: str | None = None
    base_url: str | None = None
    max_units: int | None = None
    rate_limit: float = 10.0
    concurrency: int = 10
    prefetch: int | None = None  # None: the paginator's own (follows the rate limit)
    fmt: str | None = None
    output: Path | None = None
    verbose: int = 0
    quiet: bool = False
    dry_run: bool = False
    summary_json: str | None = None
    columns: tuple[str, ...] | None = None
    profile: str | None = None
    config: Path | None = None
    #: the options typed on the command line (a profile never overrides them)
    typed: frozenset[str] = frozenset()
    yes: bool = False
    confirm_above: int = 100_000
    timeout: float | None = None
    retries: int | None = None
    cache: Path | None = None
    #: a shared budget (``sqlite:PATH`` or ``redis://…``) that ``max_units`` creates
    budget_store: str | None = None
    argv: list[str] = attrs.field(factory=list)

    sandbox_options: dict[str, Any] = attrs.field(factory=dict)

    def merged(self, **local: Any) -> Settings:
        """These settings with the options given on the command (unset ones are None,
        unset flags False) taking precedence."""
        changes = {k: v for k, v in local.items() if v is not None and v is not False}
        return attrs.evolve(self, **changes)

    @property
    def format(self) -> str:
        """``--format``; else from ``-o``'s suffix; else a table on a terminal and CSV
        when stdout is a pipe or a file (a table of 42,000 lines took 28 s and 362 MB)."""
        if self.fmt:
            return self.fmt
        if self.output is not None:
            return _SUFFIXES.get(self.output.suffix.lower(), "csv")
        return "table" if sys.stdout.isatty() else "csv"

    def output_problem(self) -> str | None:
        """What is wrong with ``-o FILE``, found before any request is sent."""
        if self.output is None:
            return None
        if not self.fmt and self.output.suffix.lower() not in _SUFFIXES:
            known = ", ".join(sorted(_SUFFIXES))
            return (
                f"-o {self.output}: unknown suffix {self.output.suffix or '(none)'!r}; "
                f"use one of {known}, or say --format"
            )
        parent = self.output.parent
        if not parent.is_dir():
            return f"-o {self.output}: the directory {parent} does not exist"
        if self.format == "parquet" and importlib.util.find_spec("pyarrow") is None:
            return "Parquet needs pyarrow: pip install 'asyncsemrush[parquet]' (or -o FILE.csv)"
        return None


def interactive() -> bool:
    """Whether there is a person at a terminal to ask (stdin is a TTY)."""
    return sys.stdin.isatty()


def stdout_console() -> Console:
    """The data console: piped or redirected output is not cut at 80 columns."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 400)


def rows_to_pull(pager: AsyncPaginator[Any], total: int) -> int:
    """How many rows ``pager`` delivers of a report of ``total`` rows (after its
    ``start_offset``, up to its ``max_rows``)."""
    rows = max(total - pager.start_offset, 0)
    return rows if pager.max_rows is None else min(rows, pager.max_rows)


def render_table(
    console: Console, rows: Iterable[Any], title: str = "", columns: tuple[str, ...] | None = None
) -> None:
    """Rows as a table of their flat records (only ``columns``, in order, if given)."""
    flat = [select(rec, columns) for row in rows for rec in records(row)]
    table = Table(title=title or None, show_lines=False)
    names = list(flat[0]) if flat else ["result"]
    for name in names:
        table.add_column(name, overflow="fold")
    for rec in flat:
        table.add_row(*("" if rec.get(c) is None else str(rec.get(c)) for c in names))
    console.print(table)


@attrs.frozen
class WorstCase:
    """What a pull may cost: rows, requests, units; and what learning it cost."""

    rows: int
    requests: int
    units: int
    probe_units: int = 0


class Session:
    """What a command's coroutine gets: the client, consoles, and output helpers."""

    def __init__(self, settings: Settings, client: SemrushClient, sandbox: Any = None) -> None:
        self.settings = settings
        self.client = client
        #: The in-process sandbox (with --sandbox and the demo), else None.
        self.sandbox = sandbox
        self.err = Console(stderr=True, quiet=settings.quiet, highlight=False)
        self.out = stdout_console()
        self.started = time.monotonic()
        self.rows = 0
        #: Where the last pull stopped before its end (for --summary-json), else None.
        self.resume_offset: int | None = None
        problem = settings.output_problem()
        if problem is not None:  # before anything is sent or reserved
            self.fail(EXIT_INPUT, problem)

    # ---------------------------------------------------------------- output

    def sink(self, *, wide: bool = False, append: bool = False) -> Sink | None:
        """Where exported rows go (None: print a table)."""
        fmt, out = self.settings.format, self.settings.output
        if fmt == "table":
            return None
        if fmt == "parquet":
            if out is None:
                self.fail(EXIT_INPUT, "--format parquet needs -o FILE")
            assert out is not None
            return ParquetSink(out, wide=wide, append=append, columns=self.settings.columns)
        target: Any = out if out is not None else sys.stdout
        if fmt == "jsonl":
            return JsonlSink(target, append=append, columns=self.settings.columns)
        return CsvSink(target, wide=wide, append=append, columns=self.settings.columns)

    def show(self, rows: Iterable[Any], *, title: str = "") -> None:
        """Print rows as a table, or export them (small, non-paginated results)."""
        rows = list(rows)
        sink = self.sink()
        if sink is not None:
            try:
                sink.write(rows)
            finally:
                sink.close()
            return
        render_table(self.out, rows, title, self.settings.columns)

    def fail(self, code: int, message: str) -> None:
        say(f"error: {message}")
        raise Exit(code)

    # ---------------------------------------------------------------- pulls

    async def worst_case(self, pager: AsyncPaginator[Any]) -> WorstCase:
        """What ``pager`` may cost: from ``max_rows`` when it bounds the pull, else from
        the report's ``total``, learnt with one 1-row probe (paid, and counted)."""
        price = self.client.prices[pager.report_type]
        per_row = price.per_line or price.per_snapshot
        spent = 0
        if pager.max_rows is not None and per_row:
            rows = pager.max_rows
        else:
            probe: AsyncPaginator[Any] = AsyncPaginator(
                self.client._sender, pager._shape, report_type=pager.report_type,
                page_size=1, max_rows=1, start_offset=pager.start_offset,
            )  # fmt: skip
            total = 0
            async for page in probe.pages():
                total = page.total
            rows, spent = rows_to_pull(pager, total), probe.units_spent
        requests = -(-rows // pager.page_size) if rows else 0
        units = price.per_request * requests + per_row * rows
        if pager.max_units is not None:
            units = min(units, pager.max_units)
        return WorstCase(rows, requests, units, spent)

    def check_columns(self, pager: AsyncPaginator[Any], wide: bool) -> None:
        """``--columns`` checked against the report's layout before anything is sent."""
        columns = self.settings.columns
        kind = pager.report_type
        layout = (
            ("positions_wide" if wide else "positions") if kind.startswith("tracking_position")
            else "competitors" if kind.startswith("tracking_competitors")
            else "landing_pages" if kind.startswith("tracking_landing_pages")
            else None
        )  # fmt: skip
        if columns is None or layout is None or self.settings.format == "jsonl":
            return
        known = LAYOUT_COLUMNS[layout]
        for name in columns:
            dated = wide and re.fullmatch(r"\d{4}-\d{2}-\d{2}", name)
            if name not in known and not dated:
                self.fail(
                    EXIT_INPUT, f"--columns: no column {name!r}; the columns are {', '.join(known)}"
                )

    def confirm(self, question: str) -> None:
        """Ask ``question`` on the terminal (``--yes`` answers it); without a terminal,
        refuse unless ``--yes`` was given."""
        if self.settings.yes:
            return
        if not interactive():
            self.fail(EXIT_INPUT, f"{question}: add --yes (no terminal to ask on)")
        if not click.confirm(f"{question}?", default=False, err=True):
            self.fail(EXIT_INTERRUPTED, "not confirmed: nothing was sent")

    async def guard(self, pager: AsyncPaginator[Any]) -> None:
        """Ask before a pull that may cost more than ``--confirm-above`` units; without a
        terminal, refuse it unless ``--yes`` or ``--max-units`` bounds it."""
        s = self.settings
        if s.yes or s.max_units is not None:
            return
        cost = await self.worst_case(pager)
        if cost.units <= s.confirm_above:
            return
        what = (
            f"this pull may cost up to {cost.units:,} units ({money(cost.units)}): "
            f"{cost.rows:,} rows in {cost.requests:,} requests"
        )
        probe = f" (1 probe request spent {cost.probe_units:,} units)" if cost.probe_units else ""
        if not interactive():
            self.fail(
                EXIT_BUDGET,
                f"{what}{probe}, above --confirm-above {s.confirm_above:,}; "
                "add --yes, or bound it with --max-units",
            )
        if not click.confirm(f"{what}{probe}. Go on?", default=False, err=True):
            self.fail(EXIT_INTERRUPTED, "not confirmed: nothing more was sent")

    async def pull(
        self, pager: AsyncPaginator[Any], *, label: str, wide: bool = False, append: bool = False
    ) -> None:
        """Stream a paginated report to its sink with live progress; on Ctrl-C keep what
        was written, print the summary and the command line that resumes."""
        self.check_columns(pager, wide)
        await self.guard(pager)
        sink = self.sink(wide=wide, append=append)
        rows: list[Any] = []
        budget = self.client.budget
        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[rows]} rows"),
            TextColumn("{task.fields[pages]} pages"),
            TextColumn("{task.fields[units]} units"),
            TextColumn("{task.fields[rate]} req/s"),
            TextColumn("{task.fields[retries]} retries"),
            TimeRemainingColumn(),
            console=self.err,
            transient=False,
            disable=self.settings.quiet or not self.err.is_terminal,
        )
        # without a terminal (cron, CI): a plain line every PLAIN_PROGRESS_SECONDS
        plain = not self.settings.quiet and not self.err.is_terminal
        said_at = time.monotonic()
        ledger = self.client.ledger
        base_requests, base_attempts = ledger.requests, ledger.attempts
        cap = f"/{budget.limit:,}" if budget is not None else ""
        interrupted = False
        reader_gone = False  # stdout's reader closed it (``| head``)
        rows_before = self.rows
        failure: SemrushError | None = None
        report_total: int | None = None
        with progress:
            task = progress.add_task(
                label, total=None, rows="0/?", pages=0, units="0", rate="0.0", retries=0
            )
            pages = 0
            try:
                async with contextlib.aclosing(pager.pages()) as stream:
                    async for page in stream:
                        pages += 1
                        report_total = page.total
                        if sink is not None:
                            sink.write(page.rows)
                        else:
                            rows.extend(page.rows)
                        self.rows += len(page.rows)
                        elapsed = max(time.monotonic() - self.started, 1e-6)
                        remaining = rows_to_pull(pager, page.total)
                        if plain and time.monotonic() - said_at >= PLAIN_PROGRESS_SECONDS:
                            said_at = time.monotonic()
                            say(
                                f"{label}: {pager.rows_delivered:,}/{remaining:,} rows, "
                                f"{pages:,} pages, {ledger.spent:,}{cap} units"
                            )
                        progress.update(
                            task,
                            total=remaining,
                            completed=pager.rows_delivered,
                            rows=f"{pager.rows_delivered:,}/{remaining:,}",
                            pages=pages,
                            units=f"{ledger.spent:,}{cap}",
                            rate=f"{(ledger.requests - base_requests) / elapsed:.1f}",
                            retries=(ledger.attempts - base_attempts)
                            - (ledger.requests - base_requests),
                        )
            except asyncio.CancelledError:
                interrupted = True
            except BrokenPipeError:  # the pages in flight were settled on the way out
                reader_gone = True
                _quiet_stdout()
            except InvalidParameterError:
                raise  # bad input: nothing was pulled
            except SemrushError as exc:
                failure = exc  # the rows so far are kept; below: summary, resume line
            finally:
                if sink is not None:
                    try:
                        sink.close()
                    except BrokenPipeError:  # (its last rows were still buffered)
                        reader_gone = True
                        _quiet_stdout()
        if sink is None and not reader_gone:
            self.show(rows)
        self.summary()
        if reader_gone:
            # the rows handed to the output: the reader may have read fewer, not more
            handed = self.rows - rows_before
            self.resume_offset = pager.start_offset + handed
            say(
                f"the output was closed by its reader after {handed:,} rows were handed "
                f"to it; resume with:\n{resume_command(self.settings.argv, self.resume_offset)}"
            )
            raise Exit(EXIT_INTERRUPTED)
        if interrupted:
            self.resume_offset = pager.start_offset + pager.rows_delivered
            self.resume_hint(self.resume_offset)
            raise Exit(EXIT_INTERRUPTED)
        if failure is not None:
            self.stopped(failure, pager)
        self.resume_offset = pager.resume_offset
        if pager.stopped_by == "max_units" and pager.resume_offset is not None:
            # a pull cut by --max-units is not a finished one (it used to exit 0, silent)
            of = f" of {report_total:,}" if report_total is not None else ""
            say(
                f"stopped at --max-units {self.settings.max_units:,}: {pager.rows_delivered:,}"
                f"{of} rows written; resume with:\n"
                f"{resume_command(self.settings.argv, pager.resume_offset)}"
            )
            raise Exit(EXIT_BUDGET)

    def stopped(self, failure: SemrushError, pager: AsyncPaginator[Any]) -> None:
        """A pull that an error ended: what it was, how many rows were written, and the
        command that resumes (never a library argument such as ``start_offset=``)."""
        budget_like = (BudgetExceededError, PartialResponseError, QuotaError)
        code = EXIT_BUDGET if isinstance(failure, budget_like) else EXIT_API
        kind = "units exhausted" if code == EXIT_BUDGET else "error"
        say(f"{kind}: {type(failure).__name__}: {failure}")
        say(f"{pager.rows_delivered:,} rows written before it")
        if failure.pages_after:
            paid = sum(len(page.rows) for page in failure.pages_after)
            say(f"{paid:,} rows behind it were paid for but not written (order is kept)")
        offset = self.resume_offset = failure.resume_offset
        if offset is not None:
            say(f"resume with:\n{resume_command(self.settings.argv, offset)}")
        raise Exit(code)

    def resume_hint(self, offset: int) -> None:
        say(f"interrupted; resume with:\n{resume_command(self.settings.argv, offset)}")

    def summary(self) -> None:
        ledger = self.client.ledger
        table = Table(title="summary", show_header=True)
        for name in ("rows", "requests", "retries", "units", "uncertain", "dollars", "time"):
            table.add_column(name, justify="right")
        table.add_row(
            f"{self.rows:,}",
            f"{ledger.requests:,}",
            f"{ledger.attempts - ledger.requests:,}",
            f"{ledger.spent:,}",
            f"{ledger.totals.uncertain:,}",
            money(ledger.spent),
            f"{time.monotonic() - self.started:.1f} s",
        )
        self.err.print(table)


def _say_entry(entry: LedgerEntry) -> None:
    """``-v``: one plain line a request (never wrapped: scripts and logs read it)."""
    lines = f" {entry.lines:,} rows" if entry.lines is not None else ""
    tries = f" in {entry.attempts} attempts" if entry.attempts > 1 else ""
    flag = " (uncertain)" if entry.uncertain else ""
    say(
        f"{entry.method} {entry.path} [{entry.report_type}] {entry.outcome}{lines}: "
        f"{entry.actual:,} units{flag}{tries}"
    )


def _quiet_stdout() -> None:
    """Point stdout at /dev/null once its reader has closed it, so that what is still
    buffered, and the flush at exit, cannot fail again (Python's own advice for EPIPE)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _configure_logging(verbose: int) -> None:
    if verbose <= 1:
        return  # -v is the ledger's line a request (_say_entry)
    handler: logging.Handler
    if sys.stderr.isatty():
        handler = RichHandler(console=Console(stderr=True), show_path=False)
    else:  # logs and cron: one unwrapped line a record
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("asyncsemrush")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def say(message: str) -> None:
    """Plain lines on stderr (never wrapped, so scripts can read them)."""
    print(message, file=sys.stderr, flush=True)


def money(units: int) -> str:
    """Dollars for units, with cents (or fractions of a cent when under $1)."""
    amount = dollars(units)
    if amount >= 1 or amount == amount.quantize(dollars(200)):
        return f"${amount:,.2f}"
    return f"${amount:.5f}".rstrip("0")  # one unit is $0.00005


#: Options whose value is a secret: a printed command never repeats it.
_SECRET_OPTIONS = ("--api-key",)


def resume_command(argv: Sequence[str], offset: int) -> str:
    """The command line that resumes a pull at ``offset``: the same arguments, the
    old offset and --append replaced, and no secret: a key given with --api-key is left
    out, with a note to supply it as before (``SEMRUSH_API_KEY``)."""
    cleaned: list[str] = []
    skip = False
    secret = False
    for arg in argv:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in _SECRET_OPTIONS:
            secret = True
            skip = "=" not in arg  # the value is the next argument
            continue
        if arg == "--start-offset":
            skip = True
            continue
        if arg.startswith("--start-offset=") or arg == "--append":
            continue
        cleaned.append(arg)
    line = shlex.join(["asyncsemrush", *cleaned, "--start-offset", str(offset), "--append"])
    if secret:
        line += (
            "\n(the key given with --api-key is not repeated here: set SEMRUSH_API_KEY, "
            "or add --api-key yourself)"
        )
    return line


def run(
    settings: Settings, work: Callable[[Session], Awaitable[None]], *, needs_key: bool = True
) -> int:
    """Run one command's coroutine and turn what happened into an exit code."""
    _configure_logging(settings.verbose)
    from ._profiles import ProfileError, apply_profile

    try:
        settings = apply_profile(settings)
    except ProfileError as exc:
        say(f"error: {exc}")
        return EXIT_INPUT
    if needs_key and not settings.sandbox and not settings.api_key:
        say(f"error: {NO_KEY}")
        return EXIT_API
    held: list[Session] = []
    started = time.monotonic()
    code = _run(settings, work, held)
    if settings.summary_json is not None:
        _write_summary(settings.summary_json, held, code, time.monotonic() - started)
    return code


def _write_summary(target: str, held: list[Session], code: int, seconds: float) -> None:
    """``--summary-json``: the run as one JSON object, for scripts and warehouses."""
    import json

    summary: dict[str, Any] = {"exit_code": code, "seconds": round(seconds, 3)}
    if held:
        session, ledger = held[0], held[0].client.ledger
        totals = ledger.totals
        summary.update(
            rows=session.rows,
            requests=totals.requests,
            attempts=totals.attempts,
            units=totals.spent,
            uncertain_units=totals.uncertain,
            dollars=str(totals.dollars),
            resume_offset=session.resume_offset,
        )
    text = json.dumps(summary, sort_keys=True)
    if target == "-":
        print(text, flush=True)
    else:
        Path(target).write_text(text + "\n")


def _run(
    settings: Settings, work: Callable[[Session], Awaitable[None]], held: list[Session]
) -> int:
    try:
        asyncio.run(_main(settings, work, held))
    except Exit as exc:
        return exc.code
    except (KeyboardInterrupt, asyncio.CancelledError):
        say("interrupted")
        return EXIT_INTERRUPTED
    except InvalidParameterError as exc:
        say(f"bad input: {exc}")
        return EXIT_INPUT
    except (BudgetExceededError, PartialResponseError, QuotaError) as exc:
        say(f"units exhausted: {exc}")
        return EXIT_BUDGET
    except SemrushError as exc:
        say(f"error: {exc}")
        return EXIT_API
    return EXIT_OK


def _budget(settings: Settings) -> UnitBudget | None:
    """``--max-units`` as the client's budget: in memory, or in the shared store
    ``--budget-store`` names (created with that limit the first time, shared after)."""
    if settings.max_units is None:
        return None
    where = settings.budget_store
    if where is None:
        return UnitBudget(settings.max_units)
    if where.startswith("sqlite:"):
        from ..stores.sqlite import SqliteBudgetStore

        return UnitBudget(
            store=SqliteBudgetStore(where[len("sqlite:") :], "cli", limit=settings.max_units)
        )
    import redis.asyncio

    from ..stores.redis import RedisBudgetStore

    client = redis.asyncio.from_url(where)
    return UnitBudget(store=RedisBudgetStore(client, "cli", limit=settings.max_units))


async def _main(
    settings: Settings, work: Callable[[Session], Awaitable[None]], held: list[Session]
) -> None:
    loop = asyncio.get_running_loop()
    me = asyncio.current_task()
    if me is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, me.cancel)
    async with contextlib.AsyncExitStack() as stack:
        key, base_url = settings.api_key, settings.base_url
        sandbox = None
        if settings.sandbox:
            from ..sandbox import Sandbox

            options = {"keywords": 2_000, **settings.sandbox_options}
            if settings.sandbox_edition is not None:
                options["edition"] = settings.sandbox_edition
            sandbox = await stack.enter_async_context(Sandbox(**options))
            key, base_url = sandbox.api_key, sandbox.base_url
        budget = _budget(settings)
        retry = None if settings.retries is None else RetryPolicy(max_attempts=settings.retries + 1)
        client = SemrushClient(
            key,
            base_url=base_url or "https://api.semrush.com",
            budget=budget,
            rate_limit=settings.rate_limit,
            max_concurrency=settings.concurrency,
            timeout=settings.timeout if settings.timeout is not None else 60.0,
            retry=retry,
            cache=settings.cache,
        )
        await stack.enter_async_context(client)
        if settings.verbose == 1:  # -v: a line a request, with its cost (-vv: every attempt)
            client.ledger.add_listener(_say_entry)
        session = Session(settings, client, sandbox)
        held.append(session)
        await work(session)


def run_sandbox(argv: list[str]) -> int:
    """``asyncsemrush sandbox``: serve the sandbox until interrupted."""
    from ..sandbox.__main__ import main

    return main(argv)
