"""Projects and Position Tracking campaigns."""

from __future__ import annotations

import datetime as dt

import attrs


@attrs.frozen
class Project:
    """A project: its ID (may exceed 2**53), name, domain and activated tools."""

    project_id: int
    project_name: str
    url: str
    tools: tuple[str, ...] = ()


@attrs.frozen
class Location:
    """Where a campaign's rankings are collected."""

    id: int
    name: str
    type: str
    code: str
    hl: str


@attrs.frozen
class Campaign:
    """A Position Tracking campaign of a project (``id`` is ``"{project}_{n}"``)."""

    id: str
    url: str
    type: str
    engine: str
    location: Location
    is_gathering: bool
    language: str
    device: str
    keywords_count: int


@attrs.frozen
class CampaignList:
    """A project's campaigns and its keyword limit."""

    project_id: int
    campaigns: tuple[Campaign, ...]
    targets_limit: int | None = None


@attrs.frozen
class TrackedKeyword:
    """A keyword of a campaign, its tags and when it was added."""

    keyword: str
    tags: tuple[str, ...]
    timestamp: dt.datetime | None = None


@attrs.frozen
class TrackedCampaign:
    """The state of a campaign as the management calls answer it."""

    url: str
    tools: tuple[str, ...]
    project_id: int
    project_name: str
    campaign_id: str | None = None
    competitors: tuple[str, ...] = ()
    keywords: tuple[TrackedKeyword, ...] = ()
