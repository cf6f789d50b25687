"""What every model shares: the wire fields it does not know, kept and read-only."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

#: An empty read-only mapping (the ``extra`` of a model whose answer had nothing new).
NOTHING: Mapping[str, Any] = MappingProxyType({})


def extra_field() -> Any:
    """``extra``: the answer's fields this version of the model does not know, as sent.

    New fields appear without notice; they stay reachable here instead of being dropped.
    Not part of equality or the repr."""
    return attrs.field(default=NOTHING, eq=False, repr=False, kw_only=True)


def problems_field() -> Any:
    """``problems``: for the answer of a write call, the fields that could not be typed
    (each ``"path: reason"``; the field then holds None). Empty when all was read."""
    return attrs.field(default=(), eq=False, repr=False, kw_only=True)
