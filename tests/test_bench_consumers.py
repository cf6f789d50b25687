"""The benchmark's consumers read the same data from every figure: a figure that skips
work (never converts a cell, never reads a map) shows another checksum."""

from __future__ import annotations

import orjson
import pytest

from asyncsemrush import _convert, models
from benchmarks import consumers
from benchmarks.decode import SHAPES, page, shape_of


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_typed_and_wire_consumers_read_the_same_checksum(shape: str) -> None:
    domains, dates = SHAPES[shape]
    masks, days = shape_of(domains, dates)
    data = orjson.loads(page(50, domains, dates))["data"]
    wire = [data[k] for k in sorted(data, key=int)]
    typed = _convert.rows(data, models.PositionRow)
    read_w, read_t = (
        consumers.read_dict(masks[0], days[-1]),
        consumers.read_typed(masks[0], days[-1]),
    )
    assert sum(map(read_w, wire)) == sum(map(read_t, typed)) > 0
    assert sum(map(consumers.every_dict, wire)) == sum(map(consumers.every_typed, typed))
    # reading a cell the typed row did not convert shows: a position left out changes it
    assert sum(map(consumers.every_dict, wire)) != sum(map(read_w, wire))


def test_a_consumer_that_skips_the_position_is_caught() -> None:
    masks, days = shape_of(2, 7)
    data = orjson.loads(page(20))["data"]
    wire = list(data.values())
    lazy = sum(len(r["Ph"]) + 25 + 1300 for r in wire)  # every field but the position
    assert sum(map(consumers.read_dict(masks[0], days[-1]), wire)) != lazy


def test_the_realized_floor_is_the_last_answer_a_rate_limited_client_can_have() -> None:
    from benchmarks.run import realized_floor

    # at the mean latency: the harness's first floor, 2 L + (n - 2) / rate
    assert realized_floor({0: 0.3, 1000: 0.3, 2000: 0.3}, 10.0) == pytest.approx(0.7)
    # a slow answer in the middle ends the pull, not the last one sent
    assert realized_floor({0: 0.2, 1000: 0.4, 2000: 0.2}, 10.0) == pytest.approx(0.6)
    # the order is the offsets', not the order the server happened to log them in
    assert realized_floor({2000: 0.2, 0: 0.25, 1000: 0.2}, 10.0) == pytest.approx(0.55)


def test_the_paced_bare_client_reads_every_row_once_at_its_rate() -> None:
    """The time-to-pull reference reads what the floor reads (its first page, decoded
    for ``total``, and the rest), and paces its starts ``1 / rate`` apart."""
    import asyncio
    import time

    from benchmarks import figures
    from benchmarks.run import masks_of, wire_server

    masks, day = masks_of("2x7")
    consume = consumers.read_dict(masks.split(":")[0], day)
    with wire_server(5_000, "2x7") as base:
        expect = figures.floor(asyncio.run(figures.fetch_all(base, masks, 5_000, 1000)), consume)
        t0 = time.perf_counter()
        got = asyncio.run(figures.bare_paced(base, masks, 1000, 20.0, 2, consume))
        wall = time.perf_counter() - t0
    assert got == expect and got[0] == 5_000
    assert wall >= 4 / 20.0  # five starts, four intervals of 50 ms


def test_the_guarded_bare_client_reads_what_the_floor_reads() -> None:
    """The figure of the guarantees' own cost reads every row once, with the same
    checksum as the floor (so its ratio is not a figure that skipped work)."""
    import asyncio

    from benchmarks import figures
    from benchmarks.run import masks_of, wire_server

    masks, day = masks_of("2x7")
    consume = consumers.read_dict(masks.split(":")[0], day)
    with wire_server(3_000, "2x7") as base:
        expect = figures.floor(asyncio.run(figures.fetch_all(base, masks, 3_000, 1000)), consume)
        got = asyncio.run(figures.bare_guarded(base, masks, 3_000, 1000, 2, consume))
        checked = asyncio.run(figures.bare_checked(base, masks, 3_000, 1000, 2, consume))
    assert got == expect and got[0] == 3_000
    assert checked == expect


def test_the_flat_repeat_check_refuses_a_repeated_row() -> None:
    """The reference figures' repeat check is the library's: a keyword ID seen within the
    window, or twice in one page, stops the pull; one beyond the window does not."""
    from benchmarks.figures import RepeatWindow

    window = RepeatWindow()
    window.check([{"Pi": str(n)} for n in range(100)])
    with pytest.raises(RuntimeError, match="repeated"):
        window.check([{"Pi": "100"}, {"Pi": "100"}])
    with pytest.raises(RuntimeError, match="repeated"):
        window.check([{"Pi": "101"}, {"Pi": "5"}])
    far = RepeatWindow()
    for start in range(0, far.rows + 100, 100):
        far.check([{"Pi": str(start + n)} for n in range(100)])
    far.check([{"Pi": "0"}])  # 5,100 rows back: out of the window


def test_the_instruction_count_is_read_from_callgrinds_summary() -> None:
    """``--only instructions`` reads callgrind's own summary line (as valgrind 3.19
    prints it), not a number that happens to be on stderr."""
    from benchmarks.run import collected, per_row_counts

    stderr = (
        "==2566== Callgrind, a call-graph generating cache profiler\n"
        "==2566== Command: python -m benchmarks._instructions bare\n"
        "==2566== Events    : Ir\n"
        "==2566== Collected : 23740401\n"
        "==2566== I   refs:      23,740,401\n"
    )
    assert collected(stderr) == 23_740_401
    with pytest.raises(ValueError, match="Collected"):
        collected("==1== Events    : Ir\n==1== I   refs:      5\n")
    per = {"bare": [90_000.0, 92_000.0], "raw": [100_000.0]}
    assert per_row_counts(per, "bare") == "91,000 (90,000-92,000)"
    assert per_row_counts(per, "raw") == "100,000, 0.910x"


def test_the_overhead_split_recovers_a_part_per_request_and_one_per_row() -> None:
    from benchmarks.run import overhead_split

    def a_row(per_request: float, per_row: float, size: int) -> float:
        return 90_000 + per_request / size + per_row  # over the bare client's 90,000 a row

    medians = {("bare", s): 90_000.0 for s in (100, 1000)}
    medians |= {("raw", s): a_row(350_000, 3_000, s) for s in (100, 1000)}
    medians |= {("typed", s): a_row(0, 12_000, s) for s in (100, 1000)}
    assert overhead_split(medians, ["raw", "typed"], (100, 1000)) == (
        "over the bare client's instructions: raw 350,000 a request + 3,000 a row; "
        "typed 0 a request + 12,000 a row"
    )
