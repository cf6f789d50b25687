"""When a stored answer may be served: the rules of the response cache, as data and one
decision, with no store and no network in them.

Position Tracking data for a date the campaign has already collected does not change,
and a positions row is priced per keyword whatever the date range: so a report whose
range ends before the campaign's latest collected date is *final*, and one that
includes the latest date is good until the campaign collects a new one. Semrush's
terms allow keeping API data for at most a month: nothing older is ever served.
"""

from __future__ import annotations

import hashlib

import attrs
import orjson

from .._wire import ApiRequest

#: The reports a cache may answer: Position Tracking reads of collected data.
CACHEABLE = frozenset(
    {
        "tracking_position_organic", "tracking_position_adwords",
        "tracking_competitors_organic", "tracking_competitors_adwords",
        "tracking_landing_pages_organic", "tracking_landing_pages_adwords",
        "tracking_overview_organic", "tracking_overview_adwords",
        "tracking_visibility_organic", "tracking_visibility_adwords",
    }
)  # fmt: skip
#: The report that tells a campaign's collected dates (the freshness check).
DATES_REPORT = "tracking_campaign_dates"
#: The longest an answer is kept or served (Semrush's terms: one month, read as 30 days).
TERMS_SECONDS = 30 * 86_400
#: A stored time this far in the future is a clock that stepped back: not trusted.
CLOCK_SLACK = 300.0
#: Cache format; a file or key space of another format is never read.
FORMAT = "asyncsemrush-cache/1"


@attrs.frozen
class CachedAnswer:
    """One stored answer: the body as the service sent it, when it was stored (Unix
    seconds), the campaign's latest collected date then (``YYYYMMDD``, or None when
    not known), and the units it cost (what serving it saves)."""

    status: int
    content_type: str
    body: bytes = attrs.field(repr=lambda body: f"<{len(body)} bytes>")
    stored: float
    latest: str | None
    worth: int

    def digest(self, key: str) -> str:
        """A checksum over the key and everything stored: a torn or edited entry, or one
        filed under another key, does not match and is never served."""
        head = orjson.dumps([FORMAT, key, self.status, self.content_type, self.stored,
                             self.latest, self.worth])  # fmt: skip
        return hashlib.blake2b(head + b"\0" + self.body, digest_size=16).hexdigest()


@attrs.frozen
class CacheKey:
    """Where an answer is filed: a digest of the request without the API key (method,
    path, report type, every parameter sorted: range, filters, offset and limit), and
    the project and campaign a write invalidates it by."""

    key: str
    project: str
    campaign: str
    date_end: str | None


def key_of(request: ApiRequest) -> CacheKey | None:
    """The request's place in the cache, or None when it is never served from one
    (management calls, writes, anything but a Position Tracking report)."""
    if request.method != "GET" or request.report_type not in CACHEABLE:
        return None
    campaign = campaign_of(request.path)
    if campaign is None:
        return None
    params = sorted((str(k), str(v)) for k, v in request.params.items())
    text = orjson.dumps([FORMAT, request.method, request.path, request.report_type, params])
    end = request.params.get("date_end")
    return CacheKey(
        key=hashlib.blake2b(text, digest_size=20).hexdigest(),
        project=campaign.split("_", 1)[0],
        campaign=campaign,
        date_end=str(end) if end is not None else None,
    )


def campaign_of(path: str) -> str | None:
    """The campaign (or project) ID in a ``/…/projects/{id}/…`` path."""
    parts = path.strip("/").split("/")
    try:
        at = parts.index("projects")
    except ValueError:
        return None
    return parts[at + 1] if len(parts) > at + 1 and parts[at + 1] else None


def project_written(request: ApiRequest) -> str | None:
    """The project a request changes (any method but GET on a project's path), whose
    cached reports it invalidates; None for reads."""
    if request.method == "GET":
        return None
    campaign = campaign_of(request.path)
    return campaign.split("_", 1)[0] if campaign else None


def latest_of(data: object) -> str | None:
    """The latest collected date (``YYYYMMDD``) in a campaign-dates answer, or None
    when it cannot be read (then nothing is judged by it)."""
    from .. import _convert
    from ..errors import ResponseFormatError
    from ..models import CampaignDates

    try:
        dates = _convert.structure(data, CampaignDates).dates
    except ResponseFormatError:
        return None
    return max(dates).strftime("%Y%m%d") if dates else None


@attrs.frozen
class Verdict:
    """What to do with a stored answer: ``serve`` it, or first ``check`` the campaign's
    latest collected date (then serve only if it is still ``entry.latest``)."""

    serve: bool
    check: bool = False
    reason: str = ""


def judge(
    entry: CachedAnswer,
    where: CacheKey,
    *,
    now: float,
    known_latest: str | None,
    check_price: int,
    max_age: float,
) -> Verdict:
    """The one decision. ``known_latest``: the campaign's latest date, if this client
    learned it recently (free to use); ``check_price``: what learning it costs."""
    age = now - entry.stored
    if age >= TERMS_SECONDS:
        return Verdict(False, reason="older than 30 days (Semrush's terms)")
    if age < -CLOCK_SLACK:
        return Verdict(False, reason="stored in the future (the clock stepped)")
    if entry.latest is not None and where.date_end is not None and where.date_end < entry.latest:
        return Verdict(True, reason="final: its range ended before a collected date")
    if known_latest is not None and entry.latest is not None:
        same = known_latest == entry.latest
        return Verdict(same, reason="no new date collected" if same else "a new date collected")
    if entry.worth > check_price and entry.latest is not None:
        return Verdict(False, check=True, reason="worth more than the date check")
    if age < max_age:
        return Verdict(True, reason="younger than max_age")
    return Verdict(False, reason="older than max_age")
