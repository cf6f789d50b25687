"""Input validation and builders: every rule is checked before a request is sent.

Each failure is an :class:`~asyncsemrush.errors.InvalidParameterError` naming the
parameter, the bad value and what is allowed. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

from ._serp_features import SERP_FEATURES, SerpFeature
from ._vocab import REGIONAL_DATABASES
from .errors import InvalidParameterError

__all__ = [
    "DEVICES",
    "LINKTYPE_FILTERS",
    "MAX_COMPETITORS",
    "MAX_DOMAINS",
    "MAX_FILTERS",
    "MAX_TAGS_PER_KEYWORD",
    "NEWLOST_FILTERS",
    "USE_VOLUME",
    "USER_AGENT_TYPES",
    "REGIONAL_DATABASES",
    "SERP_FEATURES",
    "TOP_FILTERS",
    "URL_TYPES",
    "DisplayFilter",
    "Keyword",
    "SerpFeature",
    "UrlMask",
    "sanitize_tag",
]

URL_TYPES = ("rootdomain", "subdomain", "subfolder", "url")
DEVICES = ("desktop", "phone", "tablet")
#: ``linktype_filter``: 0 include local pack and hotels, 1 only them, 2 exclude local pack,
#: 524288 exclude hotels, 524290 local pack + hotels, 536870912 AI Overview,
#: 536870914 local pack + AI Overview, 537395202 all three.
LINKTYPE_FILTERS = (0, 1, 2, 524288, 524290, 536870912, 536870914, 537395202)
#: ``use_volume``: which search volume (and CPC) level the report shows.
USE_VOLUME = ("national", "regional", "local")
#: ``newlost_filter`` of the landing-pages reports.
NEWLOST_FILTERS = ("new", "lost")
#: Site Audit ``user_agent_type`` today: 2 GoogleBot desktop, 3 GoogleBot mobile,
#: 7 SiteAuditBot desktop, 8 SiteAuditBot mobile, 9 OpenAI search.
USER_AGENT_TYPES = (2, 3, 7, 8, 9)
TOP_FILTERS = tuple(
    f"top_{name}{suffix}"
    for name in ("3", "1page", "2page", "100")
    for suffix in ("", "_income", "_leave", "_down", "_up")
)
MAX_DOMAINS = 6
MAX_FILTERS = 25
MAX_COMPETITORS = 20
MAX_TAGS_PER_KEYWORD = 5

UrlType = Literal["rootdomain", "subdomain", "subfolder", "url"]
Device = Literal["desktop", "phone", "tablet"]
Kind = Literal["organic", "adwords"]

_HOST = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}"
_HOST_RE = re.compile(rf"^{_HOST}$", re.I)
_MASKS = {
    "rootdomain": re.compile(rf"^\*\.(?P<host>{_HOST})/\*$", re.I),
    "subdomain": re.compile(rf"^(?P<host>{_HOST})/\*$", re.I),
    "subfolder": re.compile(rf"^(?P<host>{_HOST})/[^\s*:|]+/\*$", re.I),
    "url": re.compile(rf"^https?://(?P<host>{_HOST})(?::\d+)?(?:/[^\s*|]*)?$", re.I),
}
_MASK_HELP = (
    "a url mask: *.ebay.com/* (rootdomain), www.ebay.com/* (subdomain), "
    "ebay.com/motors/* (subfolder) or http://www.ebay.com/motors/ (url); "
    "build one with UrlMask.rootdomain(...) etc."
)


def _fail(parameter: str, value: object, allowed: str) -> InvalidParameterError:
    return InvalidParameterError(parameter, value, allowed)


# ------------------------------------------------------------------ numbers, enums


def integer(
    parameter: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """A whole number within bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(parameter, value, "a whole number")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        low = "" if minimum is None else f">= {minimum}"
        high = "" if maximum is None else f"<= {maximum}"
        raise _fail(parameter, value, f"a whole number {' and '.join(p for p in (low, high) if p)}")
    return value


def positive(parameter: str, value: object, allowed: str = "a number > 0") -> float:
    """A finite number above zero (``True`` is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(parameter, value, allowed)
    if not (math.isfinite(value) and value > 0):
        raise _fail(parameter, value, allowed)
    return float(value)


def choice(parameter: str, value: object, allowed: Sequence[object]) -> None:
    """``value`` must be one of ``allowed``."""
    if isinstance(value, bool) and not any(isinstance(a, bool) for a in allowed):
        raise _fail(parameter, value, f"one of {', '.join(map(repr, allowed))}")
    if value not in allowed:
        raise _fail(parameter, value, f"one of {', '.join(map(repr, allowed))}")


def kind(value: object) -> Kind:
    """``organic`` or ``adwords``."""
    choice("kind", value, ("organic", "adwords"))
    return value  # type: ignore[return-value]


def regional_database(code: str) -> str:
    """A regional database code of the SE Ranking reference (``uk``, not ``gb``)."""
    if code not in REGIONAL_DATABASES:
        hint = " (use 'uk' for the United Kingdom)" if code == "gb" else ""
        raise _fail("source", code, f"an ISO 3166-1 alpha-2 code or 'worldwide'{hint}")
    return code


def serp_feature_filter(value: object, domains: int) -> str:
    """A ``serp_feature_filter``: ``[-]<code>[,<domain index>]``, such as ``"fsn,0"``
    (keywords with a featured snippet for the first domain) or ``"-geo"``."""
    allowed = (
        f"'[-]<code>[,<index>]' with a SerpFeature code ({', '.join(sorted(SERP_FEATURES))})"
        f" and a domain index 0..{domains - 1}"
    )
    if isinstance(value, SerpFeature):
        return value.value
    m = re.fullmatch(r"(-?)([a-z]{3})(?:,(\d))?", value) if isinstance(value, str) else None
    if m is None or m.group(2) not in SERP_FEATURES:
        raise _fail("serp_feature_filter", value, allowed)
    if m.group(3) is not None and int(m.group(3)) >= domains:
        raise _fail("serp_feature_filter", value, allowed)
    return str(value)


# ------------------------------------------------------------------ IDs


def project_id(value: object) -> str:
    """A project ID (int or digits) as it goes into a path. IDs can exceed 2**53."""
    if isinstance(value, bool):
        raise _fail("project_id", value, "a project ID such as 6647718")
    if isinstance(value, int) and value > 0:
        return str(value)
    # ASCII digits only: "²" and "1٢3" pass str.isdigit() and would reach the server
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value) and value != "0" * len(value):
        return value
    raise _fail("project_id", value, "a project ID such as 6647718 (int or ASCII digits)")


def tracking_id(value: object) -> str:
    """A project ID or a ``"{project}_{n}"`` campaign ID, kept as text (never an int)."""
    if isinstance(value, str) and re.fullmatch(r"[1-9][0-9]*_[0-9]+", value):
        return value
    try:
        return project_id(value)
    except InvalidParameterError:
        raise _fail(
            "campaign_id", value, "a project ID (6647718) or a campaign ID ('6647718_272401')"
        ) from None


# ------------------------------------------------------------------ dates


def date(parameter: str, value: object) -> dt.date:
    """A ``datetime.date``, or a ``YYYYMMDD`` or ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{8}|\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.datetime.strptime(value.replace("-", ""), "%Y%m%d").date()
        except ValueError:
            pass
    raise _fail(parameter, value, "a datetime.date, or a YYYYMMDD or YYYY-MM-DD string")


def date_range(begin: object, end: object) -> dict[str, str]:
    """``date_begin``/``date_end`` query parameters (either may be None); begin <= end."""
    out: dict[str, str] = {}
    b = date("date_begin", begin) if begin is not None else None
    e = date("date_end", end) if end is not None else None
    if b and e and b > e:
        raise _fail("date_begin", begin, f"a date on or before date_end ({e:%Y%m%d})")
    if b:
        out["date_begin"] = f"{b:%Y%m%d}"
    if e:
        out["date_end"] = f"{e:%Y%m%d}"
    return out


# ------------------------------------------------------------------ url masks


class UrlMask(str):
    """A url mask as the API expects it; a ``str``, so it works as a key too.

    ``UrlMask.rootdomain("ebay.com")`` → ``*.ebay.com/*``;
    ``UrlMask.subdomain("www.ebay.com")`` → ``www.ebay.com/*``;
    ``UrlMask.subfolder("ebay.com/motors")`` → ``ebay.com/motors/*``;
    ``UrlMask.url("http://www.ebay.com/motors/")`` → itself.
    """

    __slots__ = ()

    @classmethod
    def rootdomain(cls, domain: str) -> UrlMask:
        """Every page of a domain and its subdomains."""
        return cls(f"*.{_host('domain', domain)}/*")

    @classmethod
    def subdomain(cls, host: str) -> UrlMask:
        """Every page of one host."""
        return cls(f"{_host('host', host)}/*")

    @classmethod
    def subfolder(cls, folder: str) -> UrlMask:
        """Every page under one folder (``ebay.com/motors``)."""
        host, _, path = folder.strip().strip("/").partition("/")
        if not path:
            raise _fail("folder", folder, "a host and a folder, such as ebay.com/motors")
        return cls(f"{_host('folder', host)}/{path.strip('/')}/*")

    @classmethod
    def url(cls, url: str) -> UrlMask:
        """Exactly one URL (with or without its trailing slash: they differ)."""
        return mask(url, "url")

    @property
    def url_type(self) -> UrlType:
        """Which kind of mask this is."""
        for name, pattern in _MASKS.items():
            if pattern.match(self):
                return name  # type: ignore[return-value]
        raise _fail("url", str(self), _MASK_HELP)  # pragma: no cover - validated on creation


def _host(parameter: str, value: object) -> str:
    if not isinstance(value, str):
        raise _fail(parameter, value, "a domain name such as ebay.com")
    host = value.strip().lower()
    for prefix in ("https://", "http://"):
        host = host.removeprefix(prefix)
    host = host.rstrip("/")
    if not _HOST_RE.match(host):
        raise _fail(parameter, value, "a domain name such as ebay.com")
    return host


def domain_name(parameter: str, value: object) -> str:
    """A domain name such as ``ebay.com`` (a scheme or trailing slash is dropped)."""
    if not isinstance(value, str):
        raise _fail(parameter, value, "a domain name such as ebay.com")
    return _host(parameter, value)


def mask(value: object, parameter: str = "url") -> UrlMask:
    """One validated url mask."""
    if isinstance(value, str):
        text = value.strip()
        if any(p.match(text) for p in _MASKS.values()):
            return UrlMask(text)
    raise _fail(parameter, value, _MASK_HELP)


def _split_masks(text: str) -> list[str]:
    """Split colon-joined masks, keeping ``http://`` and ``:port`` whole."""
    parts: list[str] = []
    for piece in text.split(":"):
        if parts and (
            parts[-1].lower() in ("http", "https")
            or (piece[:1].isdigit() and "://" in parts[-1] and parts[-1].count(":") == 1)
        ):
            parts[-1] += ":" + piece
        else:
            parts.append(piece)
    return parts


def masks(value: object, parameter: str = "url") -> list[UrlMask]:
    """1 to 6 url masks, given as one colon-joined string or a sequence."""
    items: list[object]
    if isinstance(value, str):
        items = list(_split_masks(value))
    elif isinstance(value, Sequence):
        items = list(value)
    else:
        raise _fail(parameter, value, _MASK_HELP)
    if not 1 <= len(items) <= MAX_DOMAINS:
        raise _fail(parameter, value, f"1 to {MAX_DOMAINS} url masks")
    found = [mask(v, parameter) for v in items]
    if len(set(found)) != len(found):
        raise _fail(parameter, value, "distinct url masks")
    return found


# ------------------------------------------------------------------ filters and sorts

_TEXT_OPS = ("Bw", "Ew", "Eq", "Co")
_NUMBER_OPS = ("Eq", "Gt", "Lt")
FilterField = Literal["Ph", "Cp", "Nq"]


@attrs.frozen
class DisplayFilter:
    """One ``display_filter`` condition: ``<sign>|<field>|<operation>|<value>``.

    Build with :meth:`include` / :meth:`exclude`, e.g.
    ``DisplayFilter.include("Nq", "Gt", 1000)`` or ``DisplayFilter.exclude("Ph", "Co", "free")``.
    Fields: ``Ph`` (phrase: ``Bw``, ``Ew``, ``Eq``, ``Co``), ``Cp`` and ``Nq`` (CPC and
    volume: ``Eq``, ``Gt``, ``Lt``).
    """

    sign: Literal["+", "-"]
    field: FilterField
    operation: str
    value: str

    def __attrs_post_init__(self) -> None:
        choice("display_filter sign", self.sign, ("+", "-"))
        choice("display_filter field", self.field, ("Ph", "Cp", "Nq"))
        ops = _TEXT_OPS if self.field == "Ph" else _NUMBER_OPS
        if self.operation not in ops:
            raise _fail(
                "display_filter operation",
                self.operation,
                f"for {self.field}: one of {', '.join(ops)}",
            )
        if not self.value or "|" in self.value:
            raise _fail("display_filter value", self.value, "a non-empty value without '|'")
        if self.field != "Ph":
            try:
                number = float(self.value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):  # "nan", "inf", "1e999" are not numbers to filter by
                raise _fail(
                    "display_filter value", self.value, f"a finite number (field {self.field})"
                )

    @classmethod
    def include(cls, field: FilterField, operation: str, value: object) -> DisplayFilter:
        """Keep rows matching the condition."""
        return cls("+", field, operation, str(value))

    @classmethod
    def exclude(cls, field: FilterField, operation: str, value: object) -> DisplayFilter:
        """Drop rows matching the condition."""
        return cls("-", field, operation, str(value))

    def __str__(self) -> str:
        return f"{self.sign}|{self.field}|{self.operation}|{self.value}"


def display_filter(value: object) -> str | None:
    """A ``display_filter`` string from ``filters=``: a filter, a sequence of them, or a
    raw string (errors name ``filters``, the argument the caller wrote)."""
    if value is None or value == "":
        return None
    items: list[DisplayFilter]
    if isinstance(value, DisplayFilter):
        items = [value]
    elif isinstance(value, str):
        parts = value.split("|")
        if len(parts) % 4:
            raise _fail("filters", value, "conditions of the form +|Nq|Gt|100 joined by '|'")
        items = [
            DisplayFilter(parts[k], parts[k + 1], parts[k + 2], parts[k + 3])  # type: ignore[arg-type]
            for k in range(0, len(parts), 4)
        ]
    elif isinstance(value, Iterable):
        items = []
        for item in value:
            if isinstance(item, DisplayFilter):
                items.append(item)
            else:
                raise _fail("filters", item, "DisplayFilter conditions")
    else:
        raise _fail("filters", value, "a DisplayFilter, a sequence of them, or a string")
    if not 1 <= len(items) <= MAX_FILTERS:
        raise _fail("filters", value, f"1 to {MAX_FILTERS} conditions")
    return "|".join(map(str, items))


def position_sort(value: object, domains: int) -> str:
    """A ``display_sort`` of the positions reports (the 2015 keys and today's)."""
    allowed = (
        "ph_asc/desc, cp_asc/desc, nq_asc/desc, sov_asc/desc, sovdiff_asc/desc, "
        "vi_asc/desc, {N}_pos/_fi/_be/_di/_diff/_vd_asc/desc (N = domain index "
        f"0..{domains - 1}), {{YYYYMMDD}}_asc/desc"
    )
    if not isinstance(value, str):
        raise _fail("sort", value, allowed)
    if re.fullmatch(r"(ph|cp|nq|sov|sovdiff|vi)_(asc|desc)", value):
        return value
    m = re.fullmatch(r"(\d)_(pos|fi|be|di|diff|vd)_(asc|desc)", value)
    if m and int(m.group(1)) < domains:
        return value
    if _date_sort(value):
        return value
    raise _fail("sort", value, allowed)


def _date_sort(value: str) -> bool:
    """Whether ``value`` is ``{YYYYMMDD}_asc`` / ``_desc`` (the date must be real)."""
    m = re.fullmatch(r"(\d{8})_(asc|desc)", value)
    if m:
        date("sort", m.group(1))
    return m is not None


def competitor_sort(value: object) -> str:
    """A ``display_sort`` of the competitors reports (the 2015 keys and today's)."""
    allowed = (
        "ur, cl, cd, av, 1_mc, sov, sovdiff, tr, trdiff (each _asc or _desc), {YYYYMMDD}_asc/desc"
    )
    if isinstance(value, str) and (
        re.fullmatch(r"(ur|cl|cd|av|1_mc|sov|sovdiff|tr|trdiff)_(asc|desc)", value)
        or _date_sort(value)
    ):
        return value
    raise _fail("sort", value, allowed)


def landing_sort(value: object) -> str:
    """A ``display_sort`` of the landing-pages reports."""
    allowed = (
        "0_mc, 1_mc, md, 0_tr, 1_tr, trdiff, 0_av, 1_av, ad, 0_nq, 1_nq, rd (each _asc or _desc)"
    )
    if isinstance(value, str) and re.fullmatch(
        r"([01]_(mc|tr|av|nq)|md|trdiff|ad|rd)_(asc|desc)", value
    ):
        return value
    raise _fail("sort", value, allowed)


def tags_condition(value: object) -> str:
    """``display_tags_condition``: tags joined by ``|`` (or) and ``&`` (and), each
    optionally prefixed by ``!`` (not), such as ``"brand&!old"``. Tags with special
    characters are URL-encoded twice, as the service expects."""
    from urllib.parse import quote

    allowed = "tags joined by '|' (or) or '&' (and), each optionally prefixed by '!'"
    if not isinstance(value, str) or not value.strip():
        raise _fail("tags_condition", value, allowed)
    parts = re.split(r"([|&])", value)
    out = []
    for n, part in enumerate(parts):
        if n % 2:
            out.append(part)
            continue
        negated, tag = part.startswith("!"), part.removeprefix("!")
        if not sanitize_tag(tag):
            raise _fail("tags_condition", value, allowed)
        plain = re.fullmatch(r"[\w .-]+", tag)
        out.append(("!" if negated else "") + (tag if plain else quote(tag, safe="")))
    return "".join(out)


def issue_sort(value: object) -> str:
    """A ``sort`` of the Site Audit issue report: today a direction (``"DESC"``, the
    service's default, or ``"ASC"``); the 2015 keys are still taken."""
    choice(
        "sort",
        value,
        ("DESC", "ASC", "index_asc", "index_desc", "firstseen_asc", "firstseen_desc"),
    )
    return str(value)


def top_filter(value: object) -> str:
    """A ``top_filter`` of the positions report."""
    choice("top_filter", value, TOP_FILTERS)
    return str(value)


def tags_param(value: object) -> str:
    """``display_tags``: tags joined by '|'; tags with special characters are URL-encoded
    twice, as the service expects (yarl encodes once more on the way out)."""
    from urllib.parse import quote

    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable) or isinstance(items, (bytes, dict)):
        raise _fail("tags", value, "a tag or a sequence of tags")
    out = []
    for tag in items:
        if not isinstance(tag, str) or not tag.strip() or "|" in tag:
            raise _fail("tags", tag, "non-empty tags without '|'")
        out.append(tag if re.fullmatch(r"[\w .-]+", tag) else quote(tag, safe=""))
    if not out:
        raise _fail("tags", value, "at least one tag")
    return "|".join(out)


# ------------------------------------------------------------------ keywords and tags

_TAG_DROP = re.compile(r"[^\w .&\-$+'#]")


def sanitize_tag(tag: str) -> str:
    """The service's tag rules (SUPPLEMENT.md): characters other than letters, digits,
    space and ``. & - $ + ' #`` dropped, runs of spaces collapsed, runs of 3+ underscores
    made two, leading/trailing underscores and spaces trimmed, lowercased."""
    tag = _TAG_DROP.sub("", tag)
    tag = re.sub(r" {2,}", " ", tag)
    tag = re.sub(r"_{3,}", "__", tag)
    return tag.strip(" _").lower()


def _tags(keyword: str, tags: Iterable[str]) -> tuple[str, ...]:
    clean: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise _fail("tags", tag, "strings")
        s = sanitize_tag(tag)
        if not s:
            raise _fail("tags", tag, "a tag with letters or digits (it is empty once sanitised)")
        if s not in clean:
            clean.append(s)
    if len(clean) > MAX_TAGS_PER_KEYWORD:
        raise _fail(f"tags of {keyword!r}", tuple(tags), f"at most {MAX_TAGS_PER_KEYWORD} tags")
    return tuple(clean)


@attrs.frozen
class Keyword:
    """A keyword to track, with up to 5 tags.

    Tags are sanitised on creation exactly as the service will (``"My Tag!"`` becomes
    ``"my tag"``), so ``keyword.tags`` shows what will be stored.
    """

    keyword: str = attrs.field()
    tags: tuple[str, ...] = attrs.field(default=())

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.keyword, str) or not self.keyword.strip():
            raise _fail("keyword", self.keyword, "a non-empty phrase")
        if isinstance(self.tags, str) or not isinstance(self.tags, Iterable):
            # a str would become one tag per letter ("brand" -> b, r, a, n, d)
            raise _fail("tags", self.tags, "a sequence of tags, such as ('brand',)")
        object.__setattr__(self, "keyword", " ".join(self.keyword.split()))
        object.__setattr__(self, "tags", _tags(self.keyword, self.tags))

    def as_json(self) -> dict[str, object]:
        return {"keyword": self.keyword, "tags": list(self.tags)}


def keywords(value: object, *, parameter: str = "keywords") -> list[Keyword]:
    """Keywords from phrases, ``Keyword`` objects, or ``(phrase, tags)`` pairs."""
    if isinstance(value, (str, Keyword)) or not isinstance(value, Iterable):
        value = [value]
    out: list[Keyword] = []
    for item in value:
        if isinstance(item, Keyword):
            out.append(item)
        elif isinstance(item, str):
            out.append(Keyword(item))
        elif isinstance(item, tuple) and len(item) == 2:
            tags = item[1]
            if isinstance(tags, str) or not isinstance(tags, Iterable):
                raise _fail(parameter, item, "(phrase, tags) pairs with a sequence of tags")
            out.append(Keyword(item[0], tuple(tags)))
        else:
            raise _fail(parameter, item, "phrases, Keyword objects or (phrase, tags) pairs")
    if not out:
        raise _fail(parameter, value, "at least one keyword")
    return out


def domains(value: object, parameter: str = "competitors") -> list[str]:
    """Up to 20 competitor domains."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable):
        raise _fail(parameter, value, "domain names")
    out = [_host(parameter, d) if isinstance(d, str) else d for d in items]
    if any(not isinstance(d, str) for d in out):
        raise _fail(parameter, value, "domain names")
    if not 1 <= len(out) <= MAX_COMPETITORS:
        raise _fail(parameter, value, f"1 to {MAX_COMPETITORS} domains")
    return [str(d) for d in out]
