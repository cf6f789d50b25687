"""Deterministic synthetic data: every value is a pure function of the seed and indices.

Nothing is stored per keyword: a campaign of 200,000 keywords costs nothing until a
report asks for rows, and the same seed always gives the same values.
"""

from __future__ import annotations

import datetime as dt
import zlib

_M32 = 0xFFFFFFFF

_ADJ = [
    "best",
    "cheap",
    "used",
    "new",
    "buy",
    "red",
    "blue",
    "small",
    "large",
    "portable",
    "wireless",
    "organic",
    "vintage",
    "custom",
    "wooden",
    "electric",
    "outdoor",
    "kids",
    "mens",
    "womens",
    "luxury",
    "handmade",
    "digital",
    "smart",
    "bulk",
    "discount",
    "professional",
    "mini",
    "heavy",
    "light",
    "fast",
    "quiet",
]
_NOUN = [
    "pig",
    "trough",
    "shoes",
    "laptop",
    "camera",
    "bike",
    "sofa",
    "lamp",
    "watch",
    "phone",
    "case",
    "jacket",
    "tent",
    "backpack",
    "headphones",
    "kettle",
    "blender",
    "printer",
    "monitor",
    "keyboard",
    "chair",
    "desk",
    "mattress",
    "drone",
    "guitar",
    "piano",
    "speaker",
    "router",
    "charger",
    "stroller",
    "grill",
    "vacuum",
    "mixer",
]
_MOD = [
    "online",
    "near",
    "me",
    "for",
    "sale",
    "review",
    "price",
    "deals",
    "uk",
    "usa",
    "2026",
    "reddit",
    "amazon",
    "ebay",
    "wholesale",
    "repair",
    "parts",
    "set",
    "kit",
    "guide",
]
_TAGS = ("brand", "sale", "seo", "mobile", "top", "local", "new", "promo", "b2b", "gift")


def step(h: int, v: int) -> int:
    """One round of :func:`mix`: ``mix(*a, v) == step(mix(*a), v)``."""
    h = (h ^ (v & _M32)) * 0x85EBCA6B & _M32
    h ^= h >> 13
    h = h * 0xC2B2AE35 & _M32
    return h ^ (h >> 16)


def mix(*values: int) -> int:
    """A 32-bit avalanche hash of small integers (murmur3 finaliser rounds)."""
    h = 0x9E3779B9
    for v in values:
        h = (h ^ (v & _M32)) * 0x85EBCA6B & _M32
        h ^= h >> 13
        h = h * 0xC2B2AE35 & _M32
        h ^= h >> 16
    return h


def text_id(text: str) -> int:
    """A stable integer for a string (Python's hash() is salted per process)."""
    return zlib.crc32(text.encode())


def unit(*values: int) -> float:
    """A deterministic float in [0, 1)."""
    return mix(*values) / 4294967296.0


def keyword_phrase(seed: int, i: int) -> str:
    """A plausible, unique keyword for index ``i``."""
    a, rest = divmod(i, len(_NOUN))
    n = rest
    b, c = divmod(a, len(_ADJ))
    phrase = f"{_ADJ[c]} {_NOUN[(n + seed) % len(_NOUN)]}"
    if b:
        m, extra = divmod(b - 1, len(_MOD))
        phrase += f" {_MOD[extra]}"
        if m:
            phrase += f" {m}"
    return phrase


def keyword_id(seed: int, i: int) -> str:
    """The ``Pi`` keyword ID: a large number as a string."""
    return str(1209571576516105373 + mix(seed, i, 1) * 1000 + i)


def cpc(seed: int, i: int) -> str:
    """Cost per click, two decimals."""
    return f"{(mix(seed, i, 2) % 1500) / 100:.2f}"


def volume(seed: int, i: int) -> str:
    """Monthly search volume, skewed like the real distribution."""
    u = unit(seed, i, 3)
    return str(int(10 * (1 / (1 - u * 0.99)) ** 2) // 10 * 10 + 10)


def tags(seed: int, i: int) -> list[str]:
    """0 to 2 tags of a keyword."""
    h = mix(seed, i, 4)
    count = h % 5 // 2  # 0, 0, 1, 1, 2
    return sorted({_TAGS[(h >> (4 + 4 * k)) % len(_TAGS)] for k in range(count)})


def base_rank(seed: int, i: int, domain: int) -> int | None:
    """Where a domain usually ranks for a keyword (None: not in the top 100)."""
    u = unit(seed, i, domain, 5)
    if u < 0.3:
        return None
    # Skewed toward the top: many keywords rank on the first pages.
    return 1 + int(((u - 0.3) / 0.7) ** 2 * 99)


def day_position(base: int | None, h: int) -> int | None:
    """The position on one day, from the usual rank and that day's hash."""
    if base is None or h % 50 == 0:  # not ranking, or a day out of the top 100
        return None
    return min(max(base + (h >> 8) % 7 - 3, 1), 100)


def local_flag(h: int) -> bool:
    """Whether that day's ranking is a local-pack one (``Lt`` = ``geo``), from its hash."""
    return (h >> 16) % 20 == 0


def position(seed: int, i: int, domain: int, day: int) -> int | None:
    """A domain's position for keyword ``i`` on day ``day`` (a date ordinal)."""
    return day_position(base_rank(seed, i, domain), mix(seed, i, domain, day))


def is_local(seed: int, i: int, domain: int, day: int) -> bool:
    """Whether the ranking is a local-pack one (``Lt`` = ``geo``)."""
    return local_flag(mix(seed, i, domain, day))


def landing_url(mask: str, seed: int, i: int) -> str:
    """A landing page on the masked domain."""
    host = mask.split("://", 1)[-1].lstrip("*.").split("/", 1)[0] or "example.com"
    if not host.startswith("www.") and host.count(".") == 1:
        host = "www." + host
    if mask.startswith("http") and not mask.endswith("*"):
        return mask
    slug = _NOUN[mix(seed, i, 7) % len(_NOUN)]
    return f"http://{host}/{slug}/" if mix(seed, i, 8) % 3 else f"http://{host}/"


def days(end: dt.date, count: int) -> list[dt.date]:
    """``count`` consecutive dates ending on ``end``."""
    return [end - dt.timedelta(days=count - 1 - k) for k in range(count)]


def ymd(day: dt.date) -> str:
    """``YYYYMMDD``."""
    return day.strftime("%Y%m%d")


def competitor_domain(seed: int, i: int) -> str:
    """A plausible competitor domain, unique per index."""
    word = _NOUN[mix(seed, i, 9) % len(_NOUN)]
    other = _ADJ[mix(seed, i, 10) % len(_ADJ)]
    tld = ("com", "net", "org", "co.uk", "shop", "store")[i % 6]
    return f"{other}{word}{i}.{tld}"


def hex_id(seed: int, *values: int, length: int = 24) -> str:
    """A Mongo-style hex ID (snapshots, pages)."""
    out = ""
    k = 0
    while len(out) < length:
        out += f"{mix(seed, *values, k):08x}"
        k += 1
    return out[:length]
