"""Site Audit. Times are aware UTC datetimes (the wire sends epoch milliseconds).

Today's answers leave out some 2015 fields and add others: the fields either edition may
leave out are optional, and what the models do not know stays in ``extra``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from ._extra import extra_field


@attrs.frozen
class Markups:
    """Pages with each kind of structured markup."""

    twitter_card: int | None = None
    open_graph: int | None = None
    schema_org: int | None = None
    microformats: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class SiteAuditInfo:
    """The state of a project's Site Audit and its last crawl.

    ``canonical`` is an int in the 2015 answers, an object in some of today's, and
    often absent (None). ``current_snapshot`` (quality, issue counts, thematic scores)
    is kept as sent. ``js_rendering`` is ``"RENDER_ALL"`` or ``"DISABLED"``."""

    id: int
    name: str | None
    url: str | None
    status: str
    errors: int | None = None
    warnings: int | None = None
    notices: int | None = None
    broken: int | None = None
    blocked: int | None = None
    redirected: int | None = None
    healthy: int | None = None
    have_issues: int | None = None
    have_issues_delta: int | None = None
    defects: Mapping[int, int] = attrs.field(factory=dict)
    markups: Markups | None = None
    depths: Mapping[int, int] = attrs.field(factory=dict)
    crawl_subdomains: bool | None = None
    respect_crawl_delay: bool | None = None
    canonical: Any = None
    user_agent_type: int | None = None
    last_audit: dt.datetime | None = None
    last_failed_audit: dt.datetime | None = None
    next_audit: dt.datetime | None = None
    running_pages_crawled: int | None = None
    running_pages_limit: int | None = None
    pages_crawled: int | None = None
    pages_limit: int | None = None
    total_checks: int | None = None
    errors_delta: int | None = None
    warnings_delta: int | None = None
    notices_delta: int | None = None
    mask_allow: tuple[str, ...] = ()
    mask_disallow: tuple[str, ...] = ()
    removed_parameters: tuple[str, ...] = ()
    excluded_checks: tuple[int, ...] | None = None
    current_snapshot: Mapping[str, Any] | None = None
    js_rendering: str | None = None
    schedule_day: int | None = None
    crawl_source_type: str | None = None
    extra: Mapping[str, Any] = extra_field()

    @property
    def is_running(self) -> bool:
        """Whether an audit is in progress (Running, Checking or Saving)."""
        return self.status.upper() in ("RUNNING", "CHECKING", "SAVING")


@attrs.frozen
class Snapshot:
    """A finished audit: its ID and when it finished."""

    snapshot_id: str
    finish_date: dt.datetime | None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class IssueCount:
    """How often one issue was found in a snapshot."""

    id: int
    count: int
    delta: int | None = None
    checks: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class SnapshotInfo:
    """A snapshot's score and issues."""

    quality: int | None
    quality_delta: int | None
    errors: tuple[IssueCount, ...]
    warnings: tuple[IssueCount, ...]
    notices: tuple[IssueCount, ...]
    snapshot_id: str
    pages_crawled: int | None = None
    finish_date: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class IssueMeta:
    """What an issue means and how to fix it (today's answers carry ``title``,
    ``title_page``, ``url_column`` and ``info_column``; ``desc`` is 2015's)."""

    id: int
    title: str
    desc: str = ""
    title_page: str = ""
    title_detailed: str = ""
    url_column: str = ""
    info_column: str = ""
    count_description: str = ""
    multidata: bool = False
    other_problem_link: str = ""
    desc_with_link: str = ""
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class IssueRow:
    """One occurrence of an issue on a page (today: ``target_url``, ``page_id``,
    ``source_url``; the 2015 answers also had title, info and first/last seen)."""

    target_url: str | None
    page_id: str | None
    source_url: str | None
    title: str | None = None
    info: str | None = None
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class PageSummary:
    """A crawled page and its ID."""

    url: str
    page_id: str
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class PageList:
    """Pages whose URL contains a text, and how many there are."""

    total: int
    pages: tuple[PageSummary, ...]
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class PageIssueDetail:
    """One finding of an issue on a page (``info``: text, or an object's JSON text)."""

    discovered: dt.datetime | None = None
    info: str | None = None
    target_url: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class PageIssue:
    """An issue found on a page, with its findings."""

    id: int
    total: int | None = None
    data: tuple[PageIssueDetail, ...] = ()
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class PageInfo:
    """A crawled page and its issues (``weight`` is 2015's only)."""

    url: str
    page_id: str
    title: str | None = None
    weight: int | None = None
    notices: tuple[PageIssue, ...] = ()
    warnings: tuple[PageIssue, ...] = ()
    errors: tuple[PageIssue, ...] = ()
    extra: Mapping[str, Any] = extra_field()
