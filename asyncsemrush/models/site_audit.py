"""Site Audit. Times are aware UTC datetimes (the wire sends epoch milliseconds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs


@attrs.frozen
class Markups:
    """Pages with each kind of structured markup."""

    twitter_card: int
    open_graph: int
    schema_org: int
    microformats: int


@attrs.frozen
class SiteAuditInfo:
    """The state of a project's Site Audit and its last crawl."""

    id: int
    name: str
    url: str
    status: str
    errors: int
    warnings: int
    notices: int
    broken: int
    blocked: int
    redirected: int
    healthy: int
    have_issues: int
    have_issues_delta: int
    defects: Mapping[int, int]
    markups: Markups
    depths: Mapping[int, int]
    crawl_subdomains: bool
    respect_crawl_delay: bool
    canonical: int
    user_agent_type: int
    last_audit: dt.datetime | None
    last_failed_audit: dt.datetime | None
    next_audit: dt.datetime | None
    running_pages_crawled: int
    running_pages_limit: int
    pages_crawled: int
    pages_limit: int
    total_checks: int
    errors_delta: int
    warnings_delta: int
    notices_delta: int
    mask_allow: tuple[str, ...] = ()
    mask_disallow: tuple[str, ...] = ()
    removed_parameters: tuple[str, ...] = ()
    excluded_checks: tuple[int, ...] | None = None

    @property
    def is_running(self) -> bool:
        """Whether an audit is in progress (Running, Checking or Saving)."""
        return self.status.upper() in ("RUNNING", "CHECKING", "SAVING")


@attrs.frozen
class Snapshot:
    """A finished audit: its ID and when it finished."""

    snapshot_id: str
    finish_date: dt.datetime | None


@attrs.frozen
class IssueCount:
    """How often one issue was found in a snapshot."""

    id: int
    count: int
    delta: int
    checks: int


@attrs.frozen
class SnapshotInfo:
    """A snapshot's score and issues."""

    quality: int
    quality_delta: int
    errors: tuple[IssueCount, ...]
    warnings: tuple[IssueCount, ...]
    notices: tuple[IssueCount, ...]
    snapshot_id: str
    pages_crawled: int
    finish_date: dt.datetime | None


@attrs.frozen
class IssueMeta:
    """What an issue means and how to fix it."""

    id: int
    title: str
    desc: str
    title_page: str = ""
    title_detailed: str = ""
    info_column: str = ""
    count_description: str = ""
    multidata: bool = False
    other_problem_link: str = ""
    desc_with_link: str = ""


@attrs.frozen
class IssueRow:
    """One occurrence of an issue on a page."""

    title: str
    info: str | None
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    target_url: str
    page_id: str
    source_url: str


@attrs.frozen
class PageSummary:
    """A crawled page and its ID."""

    url: str
    page_id: str


@attrs.frozen
class PageList:
    """Pages whose URL contains a text, and how many there are."""

    total: int
    pages: tuple[PageSummary, ...]


@attrs.frozen
class PageIssueDetail:
    """One finding of an issue on a page."""

    discovered: dt.datetime | None
    info: str | None
    target_url: str


@attrs.frozen
class PageIssue:
    """An issue found on a page, with its findings."""

    id: int
    total: int
    data: tuple[PageIssueDetail, ...]


@attrs.frozen
class PageInfo:
    """A crawled page and its issues."""

    weight: int
    title: str
    url: str
    notices: tuple[PageIssue, ...]
    warnings: tuple[PageIssue, ...]
    errors: tuple[PageIssue, ...]
    page_id: str
