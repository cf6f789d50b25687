"""The sandbox's world: projects, campaigns, audits, the unit balance and limits."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any, Literal

import attrs

from ..params import sanitize_tag
from . import _gen as gen


class SandboxError(Exception):
    """An error the sandbox answers as ``{"code", "message"}`` with HTTP 400."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


#: Which edition of the service the sandbox speaks: today's shapes (``CURRENT_V3.md``)
#: or the 2015 reference's.
Edition = Literal["today", "2015"]
EDITIONS = ("today", "2015")
OWNER_ID = 123456780


def bad(message: str, status: int = 400) -> SandboxError:
    """An HTTP-level error without a Semrush code (answered as ``{"message"}``)."""
    return SandboxError(0, message, status)


@attrs.define
class Campaign:
    """A Position Tracking campaign: generated keywords by index, plus added ones."""

    campaign_id: str
    project_id: int
    url: str
    url_type: str
    seed: int
    generated: int
    dates: list[dt.date]
    competitors: list[str] = attrs.field(factory=list)
    added: list[tuple[str, list[str], int]] = attrs.field(factory=list)
    removed: set[int] = attrs.field(factory=set)
    tag_overrides: dict[int, list[str]] = attrs.field(factory=dict)
    country_id: int = 2840
    device: str = "desktop"
    notifications: bool = True
    _index: dict[str, int] | None = None

    @property
    def size(self) -> int:
        """Keyword indices in use (removed ones included)."""
        return self.generated + len(self.added)

    def phrase(self, i: int) -> str:
        if i < self.generated:
            return gen.keyword_phrase(self.seed, i)
        return self.added[i - self.generated][0]

    def tags(self, i: int) -> list[str]:
        if i in self.tag_overrides:
            return self.tag_overrides[i]
        if i < self.generated:
            return gen.tags(self.seed, i)
        return self.added[i - self.generated][1]

    def live(self) -> range | list[int]:
        """Indices of the keywords currently tracked, in insertion order."""
        if not self.removed:
            return range(self.size)
        return [i for i in range(self.size) if i not in self.removed]

    def count(self) -> int:
        return self.size - len(self.removed)

    def find(self, phrase: str) -> int | None:
        """Index of a tracked keyword by phrase."""
        if self._index is None:
            self._index = {self.phrase(i): i for i in range(self.size)}
        i = self._index.get(phrase)
        return None if i is None or i in self.removed else i

    def add(self, phrase: str, tags: list[str], now: int) -> bool:
        if self.find(phrase) is not None:
            return False
        self.added.append((phrase, tags, now))
        if self._index is not None:
            self._index[phrase] = self.size - 1
        return True

    def domains(self) -> list[str]:
        return [self.url, *self.competitors]

    def as_json(
        self, project: Project, edition: Edition, mentioned: Sequence[str] = ()
    ) -> dict[str, Any]:
        """The 'updated campaign' answer of the management calls (SUPPLEMENT.md): every
        keyword, as documented; past 10,000 the ``mentioned`` ones and the first 100."""
        live = self.live()
        if len(live) <= 10_000:
            shown = list(live)
        else:
            named = [i for i in map(self.find, mentioned) if i is not None]
            shown = [*named, *(i for i in live[:100] if i not in set(named))]
        return {
            "url": project.url,
            "tools": project.tools_json(edition),
            "project_id": project.project_id,
            "project_name": project.project_name,
            "campaign_id": self.campaign_id,
            "competitors": list(self.competitors),
            "keywords": [
                {"keyword": self.phrase(i), "tags": self.tags(i), "timestamp": self.timestamp(i)}
                for i in shown
            ],
        }

    def timestamp(self, i: int) -> int:
        if i < self.generated:
            return int(dt.datetime.combine(self.dates[0], dt.time(), dt.timezone.utc).timestamp())
        return self.added[i - self.generated][2]


@attrs.define
class Snapshot:
    """One finished Site Audit crawl."""

    snapshot_id: str
    finish_date: int  # epoch ms
    pages_crawled: int
    quality: int
    issues: dict[int, int]  # issue id -> number of affected rows


@attrs.define
class Audit:
    """A project's Site Audit campaign."""

    domain: str
    settings: dict[str, Any]
    snapshots: list[Snapshot] = attrs.field(factory=list)
    running_until: float | None = None
    pending_snapshot: str | None = None
    last_failed_audit: int = 0


@attrs.define
class Project:
    project_id: int
    project_name: str
    url: str
    tools: list[str] = attrs.field(factory=list)
    competitors: list[str] = attrs.field(factory=list)
    keywords: list[dict[str, Any]] = attrs.field(factory=list)
    campaigns: list[Campaign] = attrs.field(factory=list)
    audit: Audit | None = None

    def tools_json(self, edition: Edition) -> list[Any]:
        """Strings in 2015, ``{"tool": name}`` objects today."""
        return list(self.tools) if edition == "2015" else [{"tool": t} for t in self.tools]

    def as_json(self, edition: Edition) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": self.url,
            "tools": self.tools_json(edition),
            "project_id": self.project_id,
            "project_name": self.project_name,
        }
        if edition == "today":
            data.update(domain_unicode=self.url, owner_id=OWNER_ID, permission=["OWNER"])
        return data

    def keywords_json(self, edition: Edition) -> dict[str, Any]:
        """A project without a campaign yet, in the management calls' shape: its
        keywords and competitors wait for ``tracking/enable`` (assumed, as in 2015)."""
        return {
            "url": self.url,
            "tools": self.tools_json(edition),
            "project_id": self.project_id,
            "project_name": self.project_name,
            "competitors": list(self.competitors),
            "keywords": [dict(k) for k in self.keywords],
        }


ERROR_ISSUES = list(range(1, 21))
WARNING_ISSUES = list(range(101, 131))
NOTICE_ISSUES = list(range(201, 216))


def make_snapshot(seed: int, project_id: int, n: int, finish_ms: int, pages: int) -> Snapshot:
    issues: dict[int, int] = {}
    for issue_id in ERROR_ISSUES + WARNING_ISSUES + NOTICE_ISSUES:
        h = gen.mix(seed, project_id, n, issue_id)
        if h % 3 == 0:
            issues[issue_id] = 1 + h % max(pages // 2, 1)
    quality = 40 + gen.mix(seed, project_id, n, 77) % 55
    return Snapshot(gen.hex_id(seed, project_id, n), finish_ms, pages, quality, issues)


class World:
    """All mutable sandbox state. Methods raise :class:`SandboxError`."""

    FIRST_PROJECT = 6647718
    FIRST_CAMPAIGN = 272401

    def __init__(
        self,
        *,
        seed: int,
        keywords: int,
        competitors: int,
        end_date: dt.date,
        days: int,
        projects_limit: int,
        keywords_limit: int,
        audit_pages: int,
        audit_duration: float,
        edition: Edition = "today",
    ) -> None:
        self.edition: Edition = edition
        self.seed = seed
        self.end_date = end_date
        self.days = days
        self.projects_limit = projects_limit
        self.keywords_limit = keywords_limit
        self.audit_pages = audit_pages
        self.audit_duration = audit_duration
        self.projects: dict[int, Project] = {}
        self._next_project = 0
        self._next_campaign = 0
        self._launches = 0
        demo = self.create_project("demo", "example.com", [], [], check_limit=False)
        rivals = ["competitor-one.com", "competitor-two.com", "rival-shop.net"][:competitors]
        rivals += [gen.competitor_domain(seed, k) for k in range(competitors - len(rivals))]
        self.enable_tracking(demo, "example.com", "rootdomain", 2840, "desktop", generated=keywords)
        demo.campaigns[0].competitors = rivals
        demo.competitors = list(rivals)
        site = self.create_project("site", "example.org", [], [], check_limit=False)
        self.enable_audit(site, {"domain": "example.org", "pageLimit": audit_pages})
        base = dt.datetime.combine(end_date, dt.time(6), dt.timezone.utc)
        for n in range(3):
            finish = int((base - dt.timedelta(days=7 * (2 - n))).timestamp() * 1000)
            assert site.audit is not None
            site.audit.snapshots.append(
                make_snapshot(seed, site.project_id, n, finish, audit_pages)
            )

    # --------------------------------------------------------------- projects

    def _new_project_id(self) -> int:
        pid = self.FIRST_PROJECT + self._next_project * 7919
        self._next_project += 1
        return pid

    def create_project(
        self,
        name: str,
        url: str,
        keywords: list[dict[str, Any]],
        competitors: list[str],
        *,
        check_limit: bool = True,
    ) -> Project:
        if check_limit and len(self.projects) >= self.projects_limit:
            raise SandboxError(
                521,
                f"Projects limit exceed, projects created: {len(self.projects)}, "
                f"user limit are {self.projects_limit}",
            )
        self.check_keyword_room(len(keywords))
        project = Project(self._new_project_id(), name, url, [], list(competitors), keywords)
        self.projects[project.project_id] = project
        return project

    def project(self, raw_id: str | int) -> Project:
        try:
            pid = int(str(raw_id).split("_", 1)[0])
        except ValueError:
            raise SandboxError(512, f"Can't find project with project_id {raw_id}") from None
        project = self.projects.get(pid)
        if project is None:
            raise SandboxError(512, f"Can't find project with project_id {raw_id}")
        return project

    def campaign(self, raw_id: str | int) -> tuple[Project, Campaign]:
        """A tracking campaign by project ID (its first campaign) or campaign ID."""
        project = self.project(raw_id)
        text = str(raw_id)
        for campaign in project.campaigns:
            if "_" not in text or campaign.campaign_id == text:
                return project, campaign
        if not project.campaigns:
            raise SandboxError(513, "Invalid tool_id: Position Tracking is not enabled")
        raise SandboxError(512, f"Can't find project with project_id {raw_id}")

    def delete_project(self, raw_id: str | int) -> None:
        project = self.project(raw_id)
        del self.projects[project.project_id]

    def tracked_keywords(self) -> int:
        return sum(c.count() for p in self.projects.values() for c in p.campaigns)

    def check_keyword_room(self, adding: int) -> None:
        tracked = self.tracked_keywords()
        if adding and tracked + adding > self.keywords_limit:
            raise SandboxError(
                522,
                f"Keywords limit exceed, keywords limit {self.keywords_limit} "
                f"already tracked keywords {tracked}",
            )

    # --------------------------------------------------------------- tracking

    def enable_tracking(
        self,
        project: Project,
        url: str,
        url_type: str,
        country_id: int,
        device: str,
        *,
        generated: int = 0,
    ) -> Campaign:
        for c in project.campaigns:
            if (c.url, c.url_type, c.country_id, c.device) == (url, url_type, country_id, device):
                raise SandboxError(515, "Campaign already exists")
        cid = f"{project.project_id}_{self.FIRST_CAMPAIGN + self._next_campaign}"
        self._next_campaign += 1
        campaign = Campaign(
            campaign_id=cid,
            project_id=project.project_id,
            url=url,
            url_type=url_type,
            seed=self.seed + len(project.campaigns),
            generated=generated,
            dates=gen.days(self.end_date, self.days),
            competitors=list(project.competitors),
            country_id=country_id,
            device=device,
        )
        now = int(time.time())
        for kw in project.keywords:
            campaign.add(str(kw["keyword"]), [sanitize_tag(t) for t in kw.get("tags", [])], now)
        project.campaigns.append(campaign)
        if "tracking" not in project.tools:
            project.tools.append("tracking")
        return campaign

    # --------------------------------------------------------------- site audit

    def enable_audit(self, project: Project, settings: dict[str, Any]) -> Audit:
        domain = str(settings.get("domain") or project.url)
        project.audit = Audit(domain=domain, settings=dict(settings))
        if "siteaudit" not in project.tools:
            project.tools.append("siteaudit")
        return project.audit

    def audit(self, raw_id: str | int) -> tuple[Project, Audit]:
        project = self.project(raw_id)
        if project.audit is None:
            raise SandboxError(513, "Invalid tool_id: Site Audit is not enabled")
        self.settle_audit(project)
        return project, project.audit

    def launch_audit(self, project: Project) -> str:
        audit = project.audit
        assert audit is not None
        self.settle_audit(project)
        if audit.running_until is None:
            n = len(audit.snapshots) + 1000 * self._launches
            self._launches += 1
            audit.pending_snapshot = gen.hex_id(self.seed, project.project_id, n, 1)
            audit.running_until = time.monotonic() + self.audit_duration
        assert audit.pending_snapshot is not None
        return audit.pending_snapshot

    def settle_audit(self, project: Project) -> None:
        """Finish a running audit whose time is up."""
        audit = project.audit
        if audit is None or audit.running_until is None or time.monotonic() < audit.running_until:
            return
        n = len(audit.snapshots)
        pages = int(audit.settings.get("pageLimit") or self.audit_pages)
        pages = min(pages, self.audit_pages)
        snap = make_snapshot(self.seed, project.project_id, n, int(time.time() * 1000), pages)
        assert audit.pending_snapshot is not None
        snap.snapshot_id = audit.pending_snapshot
        audit.snapshots.append(snap)
        audit.running_until = None
        audit.pending_snapshot = None
