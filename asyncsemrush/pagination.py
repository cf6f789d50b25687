"""AsyncPaginator: rows of a paginated report, in server order, each exactly once.

The first page is fetched alone (its ``total`` tells how many pages follow); then up
to ``prefetch`` pages are in flight at once (by default enough to keep the rate limit
busy through the slowest answer: :func:`auto_prefetch`). Pages in flight are held as
the raw bytes the server sent and decoded only when the consumer takes them, in order.
Every page is priced, reserved and rate-limited like any request.

Iterating a paginator twice runs the pull twice (and pays twice). ``collect()``,
``to_pandas()`` and ``to_polars()`` are the only methods that hold a whole report in
memory; ``to_csv()``, ``to_jsonl()`` and ``to_parquet()`` stream; ``async for`` holds
one page at a time plus the pages in flight. After a ``break`` the pages in flight are
settled when the pull is closed: at once with ``await paginator.aclose()`` (or
``async with paginator``), otherwise by the event loop a moment later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import operator
import weakref
from collections import deque
from collections.abc import AsyncGenerator, Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import attrs

from . import _leaf
from ._send import Sender, Sent
from ._wire import ApiRequest, ApiResponse
from .budget import UNCAPPED, UnitBudget
from .errors import (
    BudgetExceededError,
    InvalidParameterError,
    MaxUnitsReachedError,
    PaginationError,
    PartialResponseError,
    ResponseFormatError,
    SemrushError,
)

__all__ = ["AsyncPaginator", "Page"]

T = TypeVar("T")
log = logging.getLogger("asyncsemrush")

#: The fewest rows back within which a repeated row is found (``Pi``, ``Ur``). A pull's
#: window is this, or every row that can be in flight with a page (``(prefetch + 1) *
#: page_size``) when that is more: where a retry answering another page, or a report
#: shifting across a page boundary, puts a repeat. Bounded so that a pull's memory stays
#: flat (the window keeps an identity's hash, an int of 32 bytes, and a set slot).
REPEAT_WINDOW = 5_000

#: The largest page the documented answers and this client's tests have seen served in
#: full. A bigger ``page_size`` is grown to after the first page (see AsyncPaginator).
SAFE_PAGE_SIZE = 1_000

#: The share of ``max_response_bytes`` a grown page may be expected to fill, at the
#: bytes a row the first page took (rows of one report vary in size).
PAGE_BYTES_HEADROOM = 0.5

#: Pages in flight when ``prefetch`` is not given, at the least and at the most.
AUTO_PREFETCH, AUTO_PREFETCH_MAX = 4, 8


def auto_prefetch(rate: float | None, slowest: float) -> int:
    """Pages in flight for a pull that did not set ``prefetch``: under a rate limit of
    ``rate`` starts a second, as many as start during the slowest answer seen so far
    (``slowest`` seconds), plus the page the consumer is reading and one for the next
    answer being slower still; at least :data:`AUTO_PREFETCH`, at most
    :data:`AUTO_PREFETCH_MAX` (each page in flight is held as bytes). Without a known
    rate: :data:`AUTO_PREFETCH`.

    A fixed 4 at 10/s and 300 +- 100 ms answers is the rate x latency product: one slow
    answer at the head held the pages behind it (the pull took 1.07-1.10x its floor)."""
    if rate is None:
        return AUTO_PREFETCH
    return min(AUTO_PREFETCH_MAX, max(AUTO_PREFETCH, math.ceil(rate * slowest) + 2))


def _identity(item: Any, key: str) -> Hashable | None:
    """A row's identity for the repeat check (an unhashable one by its text), or None."""
    value: Hashable | None = item.get(key) if isinstance(item, dict) else None
    if value is None:
        return None
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


@attrs.frozen
class Page(Generic[T]):
    """One page: its rows, where it starts, what it cost, and the raw answer."""

    rows: tuple[T, ...]
    offset: int
    total: int
    asked: int
    response: ApiResponse = attrs.field(repr=False)
    #: the page size the answer echoes (its ``limit``; None when it echoes none)
    echoed_limit: int | None = attrs.field(default=None, repr=False)

    @property
    def units(self) -> int:
        """Units this page cost."""
        return self.response.units

    @property
    def meta(self) -> Mapping[str, Any]:
        """The page's other top-level fields (``Md`` of competitor reports, ...)."""
        data = self.response.data
        return {k: v for k, v in data.items() if k != "data"} if isinstance(data, dict) else {}


@attrs.frozen
class Shape:
    """How one report pages: its request, where rows and counters are in the answer."""

    request: Callable[[int, int], ApiRequest]  # (offset, limit) -> request
    # (rows as sent, where) -> the models up to the first row that does not parse, and
    # that row's error (None when all parsed)
    parse: Callable[[Any, str], tuple[list[Any], ResponseFormatError | None]]
    rows_key: str = "data"
    page_mode: bool = False  # page/limit instead of offset/limit
    identity: str | None = None  # the wire key unique per row in a report (Pi, Ur)


@attrs.define(eq=False)
class RepeatWindow:
    """The identities (``Pi``, ``Ur``) of a pull's last rows, as one set and per page.

    Each identity is kept as its hash (an int of its own), not as the row's object:
    kept as the rows' strings, the check cost a 2 x 7 pull at 1,000 rows a page 5-14 %
    in memory, as hashes within the noise of no check at all (likely because each
    string outlived its page and was freed later, from memory gone cold). Two
    different identities within one window share a 64-bit hash with a chance of about
    3 in 10^16 a row (a false repeat; ``str`` hashes are salted per process, so a
    resumed pull does not meet the same one); ints below 2**61 hash to themselves."""

    seen: set[int] = attrs.field(factory=set)
    pages: deque[set[int]] = attrs.field(factory=deque)
    held: int = 0  # identities in the window

    def admit(self, identities: list[Hashable], rows: int) -> bool:
        """Add a page's identities (hashable, none None) unless one repeats, in the page
        or in the window, then drop the oldest pages beyond the last ``rows`` rows;
        whether the page was added. ``TypeError`` (nothing added) for an unhashable one."""
        page = set(map(hash, identities))
        if len(page) != len(identities) or not page.isdisjoint(self.seen):
            return False
        self.seen |= page
        self.pages.append(page)
        self.held += len(page)
        while self.held - len(self.pages[0]) >= rows:
            oldest = self.pages.popleft()
            self.seen -= oldest
            self.held -= len(oldest)
        return True

    def first_repeat(self, identities: list[Hashable | None]) -> int | None:
        """The index of the first identity (None: none) that repeats one in the window
        or before it in ``identities``; nothing is added."""
        before = set(self.seen)
        for n, value in enumerate(identities):
            if value is None:
                continue
            h = hash(value)
            if h in before:
                return n
            before.add(h)
        return None


@attrs.define(eq=False)
class _Pull:
    """One pull's bookkeeping, so that aclose() can find it or wait for it."""

    gen: weakref.ref[AsyncGenerator[Any, None]] | None = None
    started: bool = False
    closing: bool = False  # settling what is in flight: the pull's last step
    raw: bool = False  # rows as the wire sent them (dicts), not models
    done: asyncio.Event = attrs.field(factory=asyncio.Event)
    window: RepeatWindow = attrs.field(factory=RepeatWindow)  # identities the repeat check knows


async def _rows_of(pages: AsyncGenerator[Page[T], None]) -> AsyncGenerator[T, None]:
    """Rows of one pull, page after page. An async generator: a row costs ~500 fewer
    instructions than through an ``async def __anext__``, which makes and runs a
    coroutine per row (callgrind, 2 x 7 rows: 0.4-0.6 % of a pull). Ending it
    (``aclose()``, or the event loop finalising it after a ``break``) closes the page
    generator, so closing and settling still happen in one place, the page
    generator's ``finally``."""
    try:
        async for page in pages:
            rows = page.rows
            del page
            for row in rows:
                yield row
            del rows  # drop the finished page before the next is decoded
    finally:
        if not getattr(pages, "ag_running", False):  # else aclose() is closing it now
            await pages.aclose()


class AsyncPaginator(Generic[T]):
    """Rows of a paginated report: ``async for row in p``, ``p.pages()``, ``p.collect()``.

    ``page_size`` rows a request; ``max_rows`` stops after that many rows; ``max_units``
    never lets this pull reserve more than that many units (the last page shrinks to
    fit, and a page that cannot be paid is not requested); ``prefetch`` pages in flight
    (``None``, the default: :func:`auto_prefetch`, 4 to 8 following the rate limit);
    ``start_offset`` resumes a pull. With ``speculate=True`` (off by default), reports
    priced per row only send their first ``prefetch`` pages before ``total`` is known;
    that relies on the service answering an offset past the end with an empty, free
    page, which no documentation states. A ``page_size`` above :data:`SAFE_PAGE_SIZE`
    starts at that, then grows to ``page_size`` within half the response cap at the first
    page's bytes a row; a page at a size not yet served in full goes alone. A page
    with fewer rows than asked whose echoed ``limit`` says that many were served sets
    the pull's page size (the service's own maximum, undocumented); any other short
    page while ``total`` says more rows exist raises
    :class:`~asyncsemrush.errors.PartialResponseError` after its rows were delivered
    (it carries the offset to resume from).

    Every row arrives once or the pull raises :class:`~asyncsemrush.errors.PaginationError`
    (with ``resume_offset``): ``total`` must be a whole number >= 0 that stays the same,
    no page may carry rows past it, and a row seen before in the pull (same keyword ID
    ``Pi``, or the same ``Ur`` domain/URL, within the last ``repeat_window`` rows:
    :data:`REPEAT_WINDOW`, or every row in flight with a page when that is more) is an
    error, not a second copy. A pull that
    stops at ``max_units`` says so: ``stopped_by == "max_units"`` and ``resume_offset``
    (or, with ``on_max_units="raise"``, :class:`~asyncsemrush.errors.MaxUnitsReachedError`).
    What it cannot detect: a report that changes between pages without changing its
    ``total`` (a keyword replaced by another) shows as a missing row or, where the same
    row moves across a page boundary, as the duplicate error.
    """

    def __init__(
        self,
        sender: Sender,
        shape: Shape,
        *,
        report_type: str,
        page_size: int,
        max_rows: int | None = None,
        max_units: int | None = None,
        prefetch: int | None = None,
        start_offset: int = 0,
        max_page_size: int = 10_000,
        speculate: bool = False,
        on_max_units: Literal["stop", "raise"] = "stop",
    ) -> None:
        def whole(name: str, value: object, low: int, high: int | None = None) -> int:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
            if not ok or (high is not None and value > high):  # type: ignore[operator]
                bound = f"{low}..{high}" if high is not None else f">= {low}"
                raise InvalidParameterError(name, value, f"a whole number {bound}")
            return value  # type: ignore[return-value]

        self.page_size = whole("page_size", page_size, 1, max_page_size)
        self.max_rows = None if max_rows is None else whole("max_rows", max_rows, 0)
        self.max_units = None if max_units is None else whole("max_units", max_units, 0)
        self.prefetch = None if prefetch is None else whole("prefetch", prefetch, 1, 64)
        if on_max_units not in ("stop", "raise"):
            raise InvalidParameterError("on_max_units", on_max_units, "'stop' or 'raise'")
        self.on_max_units = on_max_units
        self.start_offset = whole("start_offset", start_offset, 0)
        if shape.page_mode and self.start_offset % self.page_size:
            raise InvalidParameterError(
                "start_offset", start_offset, f"a multiple of page_size ({self.page_size})"
            )
        self._sender = sender
        self._shape = shape
        self.report_type = report_type
        price = sender.prices[report_type]  # validates the type before any I/O
        self._per_row = price.per_line or price.per_snapshot
        self._fixed = price.per_request
        # Pages are requested before `total` is known only where one past the end costs
        # nothing: reports priced per row alone (it answers no rows).
        self._may_speculate = speculate and not self._fixed and not shape.page_mode
        #: Rows yielded by the latest pull, and the units its pages cost.
        self.rows_delivered = 0
        self.units_spent = 0
        #: Why the latest pull ended before ``total``: ``"max_units"``, ``"max_rows"`` or
        #: None (it reached the end, or has not ended); and where to resume it.
        self.stopped_by: Literal["max_units", "max_rows"] | None = None
        self.resume_offset: int | None = None
        self._open: set[_Pull] = set()
        self._cancel_inflight = False

    # ------------------------------------------------------------------ public

    def __aiter__(self) -> AsyncGenerator[T, None]:
        return _rows_of(self.pages())

    async def aclose(self, *, cancel: bool = False) -> None:
        """End every pull of this paginator still open (after a ``break``), settling
        the pages in flight: let finish and counted exactly, or with ``cancel=True``
        cancelled and counted at their worst case. Without it the event loop closes
        the pull a moment later."""
        self._cancel_inflight = cancel
        try:
            for pull in list(self._open):
                gen = pull.gen() if pull.gen is not None else None
                if pull.closing or (gen is None and pull.started):
                    # being closed right now (by the event loop, which finalises a row
                    # iterator dropped after a `break`): wait for it to be settled
                    await pull.done.wait()
                else:
                    if gen is not None:
                        await gen.aclose()
                    if not pull.started:
                        self._open.discard(pull)  # never started: nothing to settle
        finally:
            self._cancel_inflight = False

    async def __aenter__(self) -> AsyncPaginator[T]:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        cancelled = exc_type is not None and issubclass(exc_type, asyncio.CancelledError)
        await self.aclose(cancel=cancelled)

    async def collect(self) -> list[T]:
        """Every row in a list: the one method that holds the whole report in memory."""
        return [row async for row in self]

    # ------------------------------------------------------------------ exports

    async def _export(self, sink: Any) -> int:
        written = 0
        try:
            async with contextlib.aclosing(self.pages()) as pages:
                async for page in pages:
                    written += sink.write(page.rows)
        finally:
            sink.close()
        return written

    async def to_csv(self, path: str | Path, *, wide: bool = False, append: bool = False) -> int:
        """Stream every row to a CSV file as it arrives (layouts in the README: one line per
        keyword × domain × date, or per keyword × domain with ``wide=True``). The file is
        flushed after each page, so it stays valid if the pull stops. Returns lines written."""
        from ._export import CsvSink

        return await self._export(CsvSink(path, wide=wide, append=append))

    async def to_jsonl(self, path: str | Path, *, append: bool = False) -> int:
        """Stream every row to a JSON-lines file (one document per row). Returns rows written."""
        from ._export import JsonlSink

        return await self._export(JsonlSink(path, append=append))

    async def to_parquet(
        self, path: str | Path, *, wide: bool = False, append: bool = False
    ) -> int:
        """Stream every row to a Parquet file, a row group per page (needs pyarrow). The
        file is whole at every moment (written aside, renamed when the pull ends or
        stops); ``append=True`` keeps the rows it already holds."""
        from ._export import ParquetSink

        return await self._export(ParquetSink(path, wide=wide, append=append))

    async def _frame_records(self, wide: bool) -> list[dict[str, Any]]:
        from ._export import records

        return [rec async for row in self for rec in records(row, wide=wide)]

    async def to_pandas(self, *, wide: bool = False) -> Any:
        """Every row as a ``pandas.DataFrame`` of flat records (needs pandas; holds the
        whole report, like ``collect()``)."""
        try:
            import pandas
        except ImportError:
            raise RuntimeError("to_pandas() needs pandas: pip install pandas") from None
        return pandas.DataFrame.from_records(await self._frame_records(wide))

    async def to_polars(self, *, wide: bool = False) -> Any:
        """Every row as a ``polars.DataFrame`` of flat records (needs polars; holds the
        whole report, like ``collect()``)."""
        try:
            import polars
        except ImportError:
            raise RuntimeError("to_polars() needs polars: pip install polars") from None
        return polars.from_dicts(await self._frame_records(wide), infer_schema_length=None)

    def raw_rows(self) -> AsyncGenerator[dict[str, Any], None]:
        """The rows as the wire sent them (decoded JSON objects, in order, each once),
        skipping the models: the fastest way through a big report."""
        return _rows_of(self._open_pull(raw=True))  # type: ignore[arg-type]

    def pages(self) -> AsyncGenerator[Page[T], None]:
        """Yield the pages in order (each page's rows, offset, total, cost, raw answer)."""
        return self._open_pull(raw=False)

    def _open_pull(self, *, raw: bool) -> AsyncGenerator[Page[T], None]:
        pull = _Pull(raw=raw)
        gen = self._pages(pull)
        # Only a weak reference: a pull dropped after `break` is finalised by the event
        # loop at once, instead of waiting for the cycle collector.
        pull.gen = weakref.ref(gen)
        self._open.add(pull)
        return gen

    async def _pages(self, pull: _Pull) -> AsyncGenerator[Page[T], None]:
        # One generator per pull (no nesting): closing it is the only cleanup path.
        pull.started = True
        try:
            self.rows_delivered = 0
            self.units_spent = 0
            self.stopped_by, self.resume_offset = None, None
            committed = 0  # units settled or reserved by this pull
            # the pull's own cap, reserved by every attempt (retries included)
            # (without max_units too: what it holds is what the pull's own pages hold)
            cap = UnitBudget(UNCAPPED if self.max_units is None else self.max_units)
            offset = self.start_offset
            end = None if self.max_rows is None else offset + self.max_rows
            capped: int | None = None  # where max_units stopped the pull
            # The page size: page_size, or at first SAFE_PAGE_SIZE, grown to page_size
            # (within the response cap) once the first page shows its bytes a row; a
            # size bigger than any served in full so far goes alone, so that a service
            # serving fewer rows a page than asked leaves no gap behind it.
            size = self.page_size
            if not self._shape.page_mode:
                size = min(self.page_size, SAFE_PAGE_SIZE)
            grow_to = self.page_size if size < self.page_size else None
            served = max(size, SAFE_PAGE_SIZE)  # the largest size served in full
            first_limit = self._fit(self._limit(offset, end, size), committed)
            if first_limit <= 0:
                if self._limit(offset, end, size) > 0:
                    self._stopped_by_units(offset)
                return
            committed += self._cost(first_limit)
            first = asyncio.ensure_future(
                self._try_send(self._request(offset, first_limit), False, cap)
            )
            inflight: list[tuple[int, int, asyncio.Task[Sent | None]]] = [
                (offset, first_limit, first)
            ]
            next_offset = offset + size
            # pages in flight: the given prefetch, or one that follows the rate limit
            depth = AUTO_PREFETCH if self.prefetch is None else self.prefetch
            slowest = 0.0
            total: int | None = None
            # the first page's total read from its head before it is decoded (the
            # dialect's peek_total): the next pages leave while it decodes
            peeked: int | None = None
            stop: int | None = end  # known once the first page told `total`

            def room() -> bool:
                """Whether one more page may leave: ``depth`` in flight, or one alone at a
                size not yet served in full."""
                return len(inflight) < (depth if size <= served else 1)

            def fill() -> None:
                """Keep ``prefetch`` pages in flight (before yielding, so they load meanwhile).

                Before ``total`` is known this is speculation, done only where a page past
                the end costs nothing; such pages are dropped once the end is known."""
                nonlocal next_offset, committed
                speculative = total is None and peeked is None
                if speculative and not self._may_speculate:
                    return
                nonlocal capped
                while room() and (stop is None or next_offset < stop):
                    limit = self._fit(self._limit(next_offset, stop, size), committed)
                    if limit <= 0:  # the unit cap is reached
                        if stop is not None:
                            capped = next_offset
                            next_offset = stop  # request nothing more
                        return
                    committed += self._cost(limit)
                    request = self._request(next_offset, limit)
                    task = asyncio.ensure_future(self._try_send(request, speculative, cap))
                    inflight.append((next_offset, limit, task))
                    # a page max_units shrank is followed by the row after it, not by
                    # the next full page: the resume offset must not skip rows
                    next_offset += limit if not self._shape.page_mode else size

            cancelled = False
            at = offset  # the page being taken
            try:
                fill()  # speculative pages go out while the first one is on its way
                while True:
                    if not inflight:
                        if capped is not None:
                            self._stopped_by_units(capped)
                        elif end is not None and total is not None and end < total:
                            self.stopped_by, self.resume_offset = "max_rows", end
                        return
                    at, limit, task = inflight[0]
                    sent = await task  # still listed: cancelled here, _abandon settles it
                    inflight.pop(0)
                    if sent is None:  # speculation the budget could not hold then: now,
                        # sized for what is left now that the end is known
                        assert stop is not None
                        resized = self._fit(
                            self._limit(at, stop, size), committed - self._cost(limit)
                        )
                        committed += self._cost(resized) - self._cost(limit)
                        limit = resized
                        if limit <= 0:
                            self._stopped_by_units(at)
                            return
                        sent = await self._sender.send(self._request(at, limit), cap)
                    if self.prefetch is None and sent.latency > slowest:
                        slowest = sent.latency
                        depth = auto_prefetch(self._sender.slots.rate, slowest)
                    trusted = size <= served  # (a page at a new size is taken before more go)
                    if total is not None and self.max_units is None and trusted:
                        fill()  # the next request leaves before this page is decoded
                    elif total is None and self.max_units is None and grow_to is None:
                        peeked = self._sender.dialect.peek_total(
                            sent.raw, rows_key=self._shape.rows_key, limit=limit
                        )
                        if peeked is not None:
                            stop = peeked if end is None else min(peeked, end)
                            fill()
                            await asyncio.sleep(0)  # let them reach their rate slots
                    page, bad_row = await self._take(sent, at, limit, total, pull)
                    body_bytes = sent.size
                    del sent, task  # the body's bytes go now, not after the next decode
                    committed += page.units - self._cost(limit)
                    if total is None:
                        total = page.total
                        stop = total if end is None else min(total, end)
                        beyond = [entry for entry in inflight if entry[0] >= stop]
                        if beyond:  # speculative pages past the end: settle, drop
                            inflight[:] = [entry for entry in inflight if entry[0] < stop]
                            await self._abandon(beyond, cancel=False)
                    assert stop is not None
                    got = len(page.rows)
                    resized = False  # the service's page size is smaller than asked
                    if got == page.asked:
                        served = max(served, got)
                    elif self._service_capped(page, stop) and not inflight:
                        # fewer rows a page than asked, as the answer says: that is the
                        # service's page size from here on (nothing was left in a gap)
                        log.info(
                            "%s: the service served %d rows a page for %d asked; continuing at %d",
                            self.report_type,
                            got,
                            page.asked,
                            got,
                        )
                        size = served = got
                        grow_to, resized = None, True
                        next_offset = page.offset + got
                    if grow_to is not None and got:
                        # grow to page_size, as far as the response cap holds such rows
                        size = max(size, min(grow_to, self._rows_that_fit(body_bytes / got)))
                        grow_to = None
                    if bad_row is not None:  # deliver the rows before it, then say where
                        yield self._deliver(page, end)
                        bad_row.rows_delivered = self.rows_delivered
                        bad_row.resume_offset = page.offset + len(page.rows)
                        raise bad_row
                    short = self._short(page, stop) and not resized
                    if not short:
                        fill()
                    yield self._deliver(page, end)
                    if short:
                        raise PartialResponseError(
                            received=len(page.rows),
                            asked=page.asked,
                            total=page.total,
                            resume_offset=page.offset + len(page.rows),
                            rows_delivered=self.rows_delivered,
                        )
                    # Let the delivered page go before the next one is decoded.
                    del page
            except asyncio.CancelledError:
                cancelled = True
                raise
            except SemrushError as exc:
                # Ends the pull: say where to resume, and keep the later pages already
                # paid for reachable (decoded, in order) instead of discarding them.
                if exc.resume_offset is None:
                    exc.resume_offset, exc.rows_delivered = at, self.rows_delivered
                later = [entry for entry in inflight if entry[0] > at]
                inflight[:] = [entry for entry in inflight if entry[0] <= at]
                if later and not exc.pages_after:
                    exc.pages_after = await self._salvage(later, total, pull)
                raise
            finally:
                pull.closing = True
                await self._abandon(inflight, cancel=cancelled or self._cancel_inflight)
        finally:
            self._open.discard(pull)
            pull.done.set()

    def _stopped_by_units(self, offset: int) -> None:
        """The pull ends at ``offset`` because ``max_units`` pays for nothing more."""
        self.stopped_by, self.resume_offset = "max_units", offset
        if self.on_max_units == "raise":
            assert self.max_units is not None
            raise MaxUnitsReachedError(
                max_units=self.max_units, resume_offset=offset, rows_delivered=self.rows_delivered
            )

    async def _try_send(
        self, request: ApiRequest, speculative: bool, cap: UnitBudget | None
    ) -> Sent | None:
        """Send a page; a speculative one gives None if the budget cannot hold it now."""
        try:
            return await self._sender.send(request, cap)
        except BudgetExceededError:
            if speculative:
                return None
            raise

    # ------------------------------------------------------------------ internals

    @property
    def repeat_window(self) -> int:
        """Rows back within which a repeated row is an error: :data:`REPEAT_WINDOW`, or
        every row that can be in flight with a page, when that is more."""
        depth = AUTO_PREFETCH_MAX if self.prefetch is None else self.prefetch
        return max(REPEAT_WINDOW, (depth + 1) * self.page_size)

    def _limit(self, offset: int, stop: int | None, size: int) -> int:
        """Rows to ask for at ``offset``: a page of ``size``, or what is left before
        ``stop``."""
        if stop is not None and stop <= offset:
            return 0
        if self._shape.page_mode or stop is None:
            return size  # page numbers need fixed sizes; surplus rows are dropped
        return min(size, stop - offset)

    def _service_capped(self, page: Page[T], stop: int) -> bool:
        """Whether a short page is the service serving fewer rows a page than asked (it
        echoes that smaller ``limit`` and gave that many rows), not a partial answer."""
        got = len(page.rows)
        return (
            not self._shape.page_mode
            and page.echoed_limit == got
            and 0 < got < page.asked
            and page.offset + got < stop
        )

    def _rows_that_fit(self, row_bytes: float) -> int:
        """Rows of ``row_bytes`` a page may hold within the response cap's headroom."""
        cap = getattr(self._sender.transport, "max_response_bytes", None)
        if not isinstance(cap, int) or row_bytes <= 0:
            return self.page_size
        return max(1, int(cap * PAGE_BYTES_HEADROOM / row_bytes))

    def _cost(self, limit: int) -> int:
        return self._fixed + self._per_row * limit

    def _fit(self, limit: int, committed: int) -> int:
        """Shrink ``limit`` so that this pull stays within ``max_units``."""
        if self.max_units is None or limit <= 0:
            return limit
        room = self.max_units - committed - self._fixed
        if room < 0:
            return 0
        if not self._per_row:
            return limit
        if self._shape.page_mode:
            return limit if room >= self._per_row * limit else 0
        return min(limit, room // self._per_row)

    def _request(self, offset: int, limit: int) -> ApiRequest:
        return self._shape.request(offset, limit)

    async def _take(
        self, sent: Sent, offset: int, asked: int, total: int | None, pull: _Pull
    ) -> tuple[Page[T], ResponseFormatError | None]:
        """Decode a page (now, not while it waited), check it, build its rows: those
        before the first row that does not parse, and that row's error (which carries
        the page's rows as sent)."""
        response = await self._sender.finish(sent)
        data = response.data
        try:
            answer = self._sender.dialect.read_page(
                data, rows_key=self._shape.rows_key, page_mode=self._shape.page_mode
            )
        except ResponseFormatError as exc:
            exc.model = exc.model or self.report_type
            exc.rows_delivered, exc.resume_offset = self.rows_delivered, offset
            raise
        page_total, rows_raw = answer.total, answer.rows
        if total is not None and page_total != total:
            raise PaginationError(
                f"the report changed during the pull (total {total} became {page_total})",
                resume_offset=offset,
                rows_delivered=self.rows_delivered,
            )
        expected = offset // asked + 1 if self._shape.page_mode else offset
        if answer.cursor is not None and answer.cursor != expected:
            raise PaginationError(
                f"the server answered {'page' if self._shape.page_mode else 'offset'} "
                f"{answer.cursor} for {expected}: the cursor did not advance",
                resume_offset=offset,
                rows_delivered=self.rows_delivered,
            )
        where = answer.rows_path
        bad_row: ResponseFormatError | None = None
        raw = pull.raw
        if raw:
            try:
                rows = _leaf.ordered(rows_raw)
            except (TypeError, ValueError) as exc:
                raise ResponseFormatError(
                    where, str(exc), model=self.report_type, answer=data
                ) from None
        else:
            rows, bad_row = self._shape.parse(rows_raw, where)
            if bad_row is not None and not rows and not isinstance(rows_raw, (dict, list)):
                bad_row.rows_delivered, bad_row.resume_offset = self.rows_delivered, offset
                raise bad_row  # not rows at all: nothing of the page is readable
        if len(rows) > asked:
            raise PaginationError(
                f"the server answered {len(rows)} rows for {asked} asked",
                resume_offset=offset,
                rows_delivered=self.rows_delivered,
            )
        if rows and offset + len(rows) > page_total:
            raise PaginationError(
                f"the server answered rows {offset}..{offset + len(rows) - 1} of a report "
                f"of {page_total} rows (total)",
                resume_offset=offset,
                rows_delivered=self.rows_delivered,
            )
        self._check_repeats(rows if raw else rows_raw, pull, offset)
        self.units_spent += response.units
        page = Page(tuple(rows), offset, page_total, asked, response, answer.limit)
        return page, bad_row

    def _check_repeats(self, rows_raw: Any, pull: _Pull, offset: int) -> None:
        """A row whose identity (``Pi``, ``Ur``) was delivered within the last
        ``repeat_window`` rows of this pull, or twice in this page, is a repeat: the
        page is refused before any of it is delivered. (The window keeps the memory of a
        pull flat; a retry answering another page and a report shifting across a page
        boundary repeat rows much closer than that.)"""
        key = self._shape.identity
        if key is None or not isinstance(rows_raw, (dict, list)):
            return
        try:
            items = _leaf.ordered(rows_raw)
        except (TypeError, ValueError):
            return  # not rows: the parse has said so
        rows = self.repeat_window
        try:  # every row an object with its identity: one C-level pass
            values: list[Any] = list(map(operator.itemgetter(key), items))
            if None not in values and pull.window.admit(values, rows):
                return
        except (TypeError, KeyError):  # a row not an object, without it, or unhashable
            pass
        # rows without an identity are not compared; a repeat is named by its row
        values = [_identity(item, key) for item in items]
        if pull.window.admit([v for v in values if v is not None], rows):
            return
        n = pull.window.first_repeat(values)
        assert n is not None
        raise PaginationError(
            f"row {offset + n} repeats {key}={values[n]!r}, delivered before in this pull "
            "(a retry answered another page, or the report changed)",
            resume_offset=offset,
            rows_delivered=self.rows_delivered,
        )

    def _deliver(self, page: Page[T], end: int | None) -> Page[T]:
        if end is not None and page.offset + len(page.rows) > end:
            page = attrs.evolve(page, rows=page.rows[: max(end - page.offset, 0)])
        self.rows_delivered += len(page.rows)
        return page

    @staticmethod
    def _short(page: Page[T], stop: int) -> bool:
        """Whether a page has fewer rows than ``total`` says it should (a partial answer)."""
        return len(page.rows) < min(page.asked, max(stop - page.offset, 0))

    async def _salvage(
        self,
        later: list[tuple[int, int, asyncio.Task[Sent | None]]],
        total: int | None,
        pull: _Pull,
    ) -> tuple[Page[T], ...]:
        """The pages in flight behind a failed one, let finish and decoded, in order, up
        to the first that cannot be read (each is settled and recorded either way)."""
        pages: list[Page[T]] = []
        try:
            while later:
                at, limit, task = later[0]
                try:
                    sent = await task
                except SemrushError:
                    del later[0]  # the send path settled and recorded it
                    break
                del later[0]
                if sent is None:
                    continue  # speculation that never went out
                try:
                    page, bad_row = await self._take(sent, at, limit, total, pull)
                except SemrushError:
                    break  # settled and recorded by finish()
                pages.append(page)
                if bad_row is not None:
                    break
        except BaseException:  # cancelled meanwhile: the rest is cancelled, then it goes on
            await self._abandon(later, cancel=True)
            raise
        await self._abandon(later, cancel=False)
        return tuple(pages)

    async def _abandon(
        self, inflight: list[tuple[int, int, asyncio.Task[Sent | None]]], *, cancel: bool
    ) -> None:
        """Settle what is still in flight when a pull ends early.

        After an error or a ``break`` the requests already sent are let finish and
        settled to what they cost; when the pull itself is cancelled they are cancelled
        too, and the send path counts them at their reserved worst case (uncertain).
        """
        if cancel:
            for _, _, task in inflight:
                task.cancel()
        for _, _, task in inflight:
            try:
                sent = await task
            except (asyncio.CancelledError, SemrushError):
                continue  # the send path settled its own reservation
            if sent is None:
                continue  # speculation that never went out
            with contextlib.suppress(SemrushError):
                await self._sender.finish(sent)  # count and settle what was received

    def __repr__(self) -> str:
        return (
            f"<AsyncPaginator {self.report_type} page_size={self.page_size} "
            f"prefetch={'auto' if self.prefetch is None else self.prefetch} "
            f"start_offset={self.start_offset}>"
        )
