"""Typed results: frozen attrs classes with real Python types.

Numbers are ``int``/``float``, dates ``datetime.date``, Site Audit times aware UTC
``datetime``, and "not ranking" is ``None``. IDs the wire sends as numbers stay ``int``
(never ``float``); campaign IDs (``"6647718_272401"``) stay ``str``.
"""

from .geo import City, Country, LocationInfo, LocationLanguage, LocationMatch, Region
from .projects import (
    Campaign,
    CampaignList,
    EnabledTracking,
    Location,
    Project,
    TrackedCampaign,
    TrackedKeyword,
)
from .site_audit import (
    IssueCount,
    IssueMeta,
    IssueRow,
    Markups,
    PageInfo,
    PageIssue,
    PageIssueDetail,
    PageList,
    PageSummary,
    SiteAuditInfo,
    Snapshot,
    SnapshotInfo,
)
from .tracking import (
    CampaignDates,
    CompetitorRow,
    CompetitorStats,
    IntentShare,
    LandingPageKeyword,
    LandingPageRow,
    LandingPageStats,
    OverviewBucket,
    PositionRow,
    TrackingOverview,
    VisibilityPoint,
)

__all__ = [
    "Campaign",
    "CampaignDates",
    "CampaignList",
    "City",
    "CompetitorRow",
    "CompetitorStats",
    "Country",
    "EnabledTracking",
    "IntentShare",
    "IssueCount",
    "IssueMeta",
    "IssueRow",
    "LandingPageKeyword",
    "LandingPageRow",
    "LandingPageStats",
    "Location",
    "LocationInfo",
    "LocationLanguage",
    "LocationMatch",
    "Markups",
    "OverviewBucket",
    "PageInfo",
    "PageIssue",
    "PageIssueDetail",
    "PageList",
    "PageSummary",
    "PositionRow",
    "Project",
    "Region",
    "SiteAuditInfo",
    "Snapshot",
    "SnapshotInfo",
    "TrackedCampaign",
    "TrackedKeyword",
    "TrackingOverview",
    "VisibilityPoint",
]
