"""Big bodies decode with the cyclic GC paused, and the collector's state comes back."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from asyncsemrush import _wire


def big_body(rows: int = 400) -> bytes:
    """A positions-like page: many small nested objects, well above the pause size."""
    per_date = {f"2026110{d}": {"a.com": "1", "b.com": ""} for d in range(1, 8)}
    data = {str(i): {"Ph": f"kw {i}", "Dt": per_date, "Lt": per_date} for i in range(rows)}
    body = orjson.dumps({"total": str(rows), "data": data})
    assert len(body) >= _wire.PAUSE_GC_BYTES
    return body


@pytest.fixture
def during_decode(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Generations of the collections that start while ``orjson.loads`` itself runs.

    Only the decode call counts: the collection the pause postponed runs at the first
    allocation after it, which is the point of the pause, not a failure of it.
    """
    seen: list[int] = []
    inside = False
    real = orjson.loads

    def decode(body: bytes) -> Any:
        nonlocal inside
        inside = True
        try:
            return real(body)
        finally:
            inside = False

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and inside:
            seen.append(info["generation"])

    monkeypatch.setattr(orjson, "loads", decode)
    gc.callbacks.append(callback)
    try:
        yield seen
    finally:
        gc.callbacks.remove(callback)


def test_no_collection_starts_while_a_big_body_decodes(during_decode: list[int]) -> None:
    body = big_body()
    assert gc.isenabled()
    control = orjson.loads(body)  # the wrapped decode, with the collector on
    if not during_decode:
        pytest.skip("this Python does not collect inside a C call: nothing to pause")
    during_decode.clear()
    data = _wire.loads(body)
    assert during_decode == []
    assert data == control
    assert gc.isenabled()


def test_small_bodies_leave_the_collector_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("the GC was paused for a small body")

    monkeypatch.setattr(gc, "disable", refuse)
    assert _wire.loads(b'{"total":"1","data":{"0":{"Ph":"x"}}}') == {
        "total": "1",
        "data": {"0": {"Ph": "x"}},
    }


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        _wire.loads(big_body())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_comes_back_after_a_malformed_body() -> None:
    body = big_body()[:-1]  # truncated: not JSON
    with pytest.raises(orjson.JSONDecodeError):
        _wire.loads(body)
    assert gc.isenabled()
    assert _wire._gc_pausers == 0


def test_concurrent_decodes_in_threads_restore_the_collector() -> None:
    body = big_body()
    expected = orjson.loads(body)
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            start.wait(timeout=10)
            for _ in range(15):
                assert _wire.loads(body) == expected
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures
    assert not any(t.is_alive() for t in threads)
    assert gc.isenabled()
    assert _wire._gc_pausers == 0


def test_a_decoded_page_is_never_traversed_by_a_young_collection() -> None:
    """After a big decode the page is in the oldest generation: a consumer that builds
    objects (typed rows) starts young collections that no longer walk the whole page
    (they did, once a generation, after the pause ended: the typed pull's GC cost)."""
    gc.collect()
    data = _wire.loads(big_body(2000))
    young = {id(o) for o in gc.get_objects(generation=0)} | {
        id(o) for o in gc.get_objects(generation=1)
    }
    assert id(data) not in young and id(data["data"]) not in young
    assert id(data) in {id(o) for o in gc.get_objects(generation=2)}


def test_a_programs_own_frozen_objects_stay_frozen() -> None:
    """A pre-fork server freezes its objects (copy-on-write); a decode must not unfreeze
    them."""
    keep = [{"n": n} for n in range(1000)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        _wire.loads(big_body())
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    del keep
