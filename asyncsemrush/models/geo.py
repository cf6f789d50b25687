"""Countries, regions and cities a tracking campaign can target."""

from __future__ import annotations

import attrs


@attrs.frozen
class Country:
    """A country: ``id`` is what ``tracking.enable(country_id=...)`` takes."""

    id: int
    name: str


@attrs.frozen
class Region:
    """A region of a country."""

    id: int
    name: str


@attrs.frozen
class City:
    """A city of a region."""

    id: int
    name: str
