"""Projects and Position Tracking campaigns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from ._extra import extra_field, problems_field


@attrs.frozen
class Project:
    """A project: its ID (may exceed 2**53), name, domain and activated tools.

    ``tools`` are the tools' names (``"tracking"``, ``"siteaudit"``), whether the
    service sent strings (2015) or ``{"tool": ...}`` objects (today). ``owner_id``,
    ``domain_unicode`` and ``permission`` (``"OWNER"``, ``"READ"``, ``"WRITE"``,
    ``"CORP_ADMIN_READ"``, ``"CORP_ADMIN_WRITE"``) are sent today, not in 2015.
    """

    project_id: int
    project_name: str
    url: str
    tools: tuple[str, ...] = ()
    domain_unicode: str | None = None
    owner_id: int | None = None
    permission: tuple[str, ...] = ()
    extra: Mapping[str, Any] = extra_field()
    problems: tuple[str, ...] = problems_field()


@attrs.frozen
class Location:
    """Where a campaign's rankings are collected."""

    id: int
    name: str
    type: str | None = None
    code: str | None = None
    hl: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class Campaign:
    """A Position Tracking campaign of a project (``id`` is ``"{project}_{n}"``).

    ``engine`` is ``google``, ``bing``, ``baidu`` or an AI engine (``search-gpt``,
    ``gemini``)."""

    id: str
    url: str
    type: str | None = None
    engine: str | None = None
    location: Location | None = None
    is_gathering: bool | None = None
    language: str | None = None
    device: str | None = None
    keywords_count: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class CampaignList:
    """A project's campaigns and its keyword limit."""

    project_id: int
    campaigns: tuple[Campaign, ...]
    targets_limit: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class TrackedKeyword:
    """A keyword of a campaign, its tags and when it was added."""

    keyword: str
    tags: tuple[str, ...] = ()
    timestamp: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class TrackedCampaign:
    """The state of a campaign as the management calls answer it.

    Every field may be missing from a surprising answer: a write that succeeded never
    raises because of the answer's shape; ``problems`` then lists what was not read."""

    url: str | None = None
    tools: tuple[str, ...] = ()
    project_id: int | None = None
    project_name: str | None = None
    campaign_id: str | None = None
    competitors: tuple[str, ...] = ()
    keywords: tuple[TrackedKeyword, ...] = ()
    extra: Mapping[str, Any] = extra_field()
    problems: tuple[str, ...] = problems_field()


@attrs.frozen
class EnabledTracking:
    """The answer of ``tracking(project).enable(...)``: the new campaign's ID.

    Today the service answers ``{"status": "SUCCESS", "action": "tracking_enable",
    "result": {"campaign_id": ...}}``; the 2015 edition answered the campaign's state,
    which is then in ``campaign``."""

    campaign_id: str | None
    status: str | None = None
    action: str | None = None
    campaign: TrackedCampaign | None = None
    extra: Mapping[str, Any] = extra_field()
    problems: tuple[str, ...] = problems_field()
