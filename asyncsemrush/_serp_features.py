"""Semrush's own SERP-feature codes (Position Tracking ``Sf``, ``Lt``, ``serp_feature_filter``).

Restated from the current Position Tracking documentation (SERP features table).
"""

from __future__ import annotations

import enum


class SerpFeature(str, enum.Enum):
    """A SERP feature, by Semrush's three-letter code (``SerpFeature.FEATURED_SNIPPET ==
    "fsn"``). Rows carry codes as plain strings, so a code this list does not know yet
    still reads."""

    ASK_AI = "aai"
    ADS_BOTTOM = "adb"
    ADS_TOP = "adt"
    AI_CHAT = "aic"
    AI_SUMMARY = "aim"
    AI_OVERVIEW = "aio"
    AI_STORIES = "ais"
    AMP = "amp"
    APPS = "app"
    AI_SEARCH_RESULTS = "asr"
    CAROUSEL = "car"
    CITATIONS = "ctt"
    DOUBLE_RESPONSE = "drp"
    FLIGHTS = "flg"
    FEATURED_SNIPPET = "fsn"
    LOCAL_PACK = "geo"
    HOTELS = "hot"
    IMAGES = "img"
    INDENTED = "ind"
    JOBS = "job"
    KNOWLEDGE_PANEL = "kng"
    INSTANT_ANSWER = "knw"
    MEDIA_ACTIONS = "mac"
    TOP_STORIES = "new"
    ORGANIC = "org"
    PEOPLE_ALSO_ASK = "rel"
    RELATED_SEARCHES = "res"
    REVIEWS = "rev"
    RESPONSE = "rsp"
    SHOPPING_ADS = "shp"
    SPORTS = "spb"
    SITELINKS = "stl"
    TEASER = "tea"
    TWITTER = "twt"
    FEATURED_VIDEO = "vib"
    VIDEO = "vid"


#: Code → the documentation's name of the feature.
SERP_FEATURES: dict[str, str] = {
    f.value: f.name.replace("_", " ").capitalize().replace("Ai ", "AI ").replace("Amp", "AMP")
    for f in SerpFeature
}
