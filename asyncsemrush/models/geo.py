"""Where a tracking campaign can be located: location search, and the legacy lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._extra import extra_field


@attrs.frozen
class Country:
    """A country (legacy list): ``id`` is what ``tracking.enable(country_id=...)`` took."""

    id: int
    name: str
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class Region:
    """A region of a country (legacy list)."""

    id: int
    name: str
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class City:
    """A city of a region (legacy list)."""

    id: int
    name: str
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class LocationLanguage:
    """A language a location can be tracked in (``hl`` is its code)."""

    hl: str
    name: str | None = None
    id: int | None = None
    is_default: bool = False
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class LocationInfo:
    """A location of the universal location search: ``id`` is the ``location_id``
    that ``tracking(project).enable(location_id=...)`` takes."""

    id: int
    name: str
    formatted_name: str | None = None
    reversed_name: str | None = None
    canonical_name: str | None = None
    parent_id: int | None = None
    country_code: str | None = None
    type: str | None = None
    languages: tuple[LocationLanguage, ...] = ()
    weight: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen
class LocationMatch:
    """One answer of the location search: the location and the search-volume levels
    (``national``, ``regional``, ``local``) it offers (``use_volume=`` of the reports)."""

    location: LocationInfo
    available_volume_types: tuple[str, ...] = ()
    extra: Mapping[str, Any] = extra_field()
