"""Requests and answers as data: what a resource asks for, what it gets back.

Nothing here touches the network or knows a wire format: building the URL, adding the
key, decoding bodies and mapping errors are the dialect's (``asyncsemrush.dialects``).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import orjson

from .pricing import Usage
from .transports import RawResponse

__all__ = ["ApiRequest", "ApiResponse", "Expect", "Method", "RawResponse", "loads"]

Method = Literal["GET", "POST", "PUT", "DELETE"]
Expect = Literal["json", "json_or_empty", "units"]

# Bodies from this size up are decoded with the cyclic GC paused (see ``loads``).
PAUSE_GC_BYTES = 1 << 16
_gc_lock = threading.Lock()
_gc_pausers = 0  # decodes in progress that asked for the pause, across threads
_gc_resume = False  # whether the last of them turns the collector back on


def loads(body: bytes) -> Any:
    """``orjson.loads``, with the cyclic garbage collector paused for big bodies.

    A 2 MB page decodes into ~35,000 containers; each 700 new containers start a
    collection, and the young ones, all alive, are traversed again and again on their
    way to the oldest generation: about a third of a big pull's time went there.
    Decoded JSON cannot hold a reference cycle, so nothing is collectable meanwhile.
    A pause alone only postpones the work: the first collection after it (a consumer
    that builds objects starts one every 700) traverses the whole page, and again one
    generation up. So when the pause ends, what was made meanwhile is moved to the
    oldest generation at once (``gc.freeze()`` then ``gc.unfreeze()``, two list splices),
    unless the program keeps objects frozen itself (``gc.get_freeze_count()``), which
    this must not undo. It nests across threads (the collector comes back when the last
    decode ends, and only if it was on when the first began); a collector that was off
    stays off. Objects made in other threads meanwhile are collected when the collector
    is back.
    """
    global _gc_pausers, _gc_resume
    if len(body) < PAUSE_GC_BYTES:
        return orjson.loads(body)
    with _gc_lock:
        if not _gc_pausers:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        return orjson.loads(body)
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if not _gc_pausers and _gc_resume:
                if not gc.get_freeze_count():  # (a program's own frozen objects stay so)
                    gc.freeze()
                    gc.unfreeze()  # the decoded page is now old: no young collection sees it
                gc.enable()


@attrs.frozen
class ApiRequest:
    """One request described as data: what to send, what it may cost, how to read it.

    ``usage`` is the worst case reserved before sending (lines asked for, keywords
    added, snapshots asked for); ``keywords`` the phrases of a keyword addition, by which
    the answer tells what was added (and charged). ``host`` selects the API (``"api"``)
    or the balance endpoint's host (``"balance"``).
    """

    method: Method
    path: str
    report_type: str
    params: Mapping[str, str] = attrs.field(factory=dict)
    json: Any = None
    usage: Usage = attrs.field(factory=Usage)
    expect: Expect = "json"
    host: Literal["api", "balance"] = "api"
    keywords: tuple[str, ...] = ()


@attrs.frozen
class ApiResponse:
    """A decoded answer with its metadata: the raw escape hatch.

    ``data`` is the decoded JSON (or the parsed number for the balance check);
    ``units`` what the request cost, ``attempts`` how many HTTP attempts it took;
    ``cached``: served by the response cache (0 units, no attempt).
    """

    data: Any
    status: int
    attempts: int
    units: int
    usage: Usage
    report_type: str
    cached: bool = False
