"""``sr.geo``: where a campaign can be placed, cached for the client's life.

:meth:`GeoResource.locations` is today's universal location search; the countries,
regions and cities lists are the 2015 edition's (no longer in the current method index,
kept for the accounts that still answer them)."""

from __future__ import annotations

import asyncio
from typing import Any

from .. import _convert, params
from .._wire import ApiRequest
from ..errors import InvalidParameterError
from ..models import City, Country, LocationMatch, Region
from ._base import Resource, query

INFO = "/management/v1/info"
LOCATIONS = "/position-tracking/management/v1/info/locations"
#: Location types the search takes (``type=``).
LOCATION_TYPES = (
    "autonomous community", "barrio", "borough", "canton", "city", "city region", "country",
    "county", "department", "district", "governorate", "municipality",
    "municipality district", "neighborhood", "okrug", "postal code", "prefecture",
    "province", "quarter", "region", "state", "sub-district", "sub-ward", "territory",
    "union territory",
)  # fmt: skip
ENGINES = ("google", "bing", "baidu")


class GeoResource(Resource):
    """Where a tracking campaign can be located. Each list costs 100 units the first
    time; answers are kept in memory for the client's life (they rarely change), and
    concurrent calls for the same list share one request."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._cache: dict[str, asyncio.Task[tuple[Any, ...]]] = {}

    async def _fetch(self, request: ApiRequest, cls: type[Any]) -> tuple[Any, ...]:
        response = await self._send(request)
        data = response.data
        if cls is LocationMatch:
            data = data.get("locations", []) if isinstance(data, dict) else data
            return tuple(_convert.rows(data, cls, "$.locations"))
        return tuple(_convert.rows(data, cls, "$"))

    async def locations(
        self,
        name: str | None = None,
        *,
        location_id: int | None = None,
        country_code: str | None = None,
        type: str | None = None,
        engine: str | None = None,
    ) -> tuple[LocationMatch, ...]:
        """Search locations by name, ID, country (ISO alpha-2: ``"US"``), type
        (``"city"``, ``"postal code"``, ...) or search engine; with no argument, the top
        locations by weight. ``match.location.id`` is what ``tracking.enable(location_id=)``
        takes. 100 units per distinct search, then cached for the client's life."""
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise InvalidParameterError("name", name, "a non-empty location name")
        if country_code is not None and (
            not isinstance(country_code, str)
            or not (len(country_code) == 2 and country_code.isascii() and country_code.isalpha())
        ):
            raise InvalidParameterError("country_code", country_code, "an ISO 3166-1 alpha-2 code")
        if type is not None:
            params.choice("type", type, LOCATION_TYPES)
        if engine is not None:
            params.choice("engine", engine, ENGINES)
        q = query(
            location_id=None
            if location_id is None
            else params.integer("location_id", location_id, minimum=1),
            name=None if name is None else name.strip(),
            country_code=None if country_code is None else country_code.upper(),
            type=type,
            filter_engine=engine,
        )
        key = "locations?" + "&".join(f"{k}={v}" for k, v in sorted(q.items()))
        request = ApiRequest("GET", LOCATIONS, "location_search", params=q)
        return await self._cached(key, request, LocationMatch)

    async def _cached(self, key: str, request: ApiRequest, cls: type[Any]) -> tuple[Any, ...]:
        task = self._cache.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fetch(request, cls))
            self._cache[key] = task

            def forget_failure(done: asyncio.Task[tuple[Any, ...]]) -> None:
                if done.cancelled() or done.exception() is not None:
                    self._cache.pop(key, None)

            task.add_done_callback(forget_failure)
        # shield: one caller giving up must not cancel the request the others share
        return await asyncio.shield(task)

    async def countries(self) -> tuple[Country, ...]:
        """Countries a campaign can target (``id`` is the ``country_id``). 100 units once."""
        return await self._cached(
            "countries", ApiRequest("GET", f"{INFO}/countries", "get_countries"), Country
        )

    async def regions(self, country_id: int) -> tuple[Region, ...]:
        """Regions of a country. 100 units once per country."""
        cid = params.integer("country_id", country_id, minimum=1)
        path = f"{INFO}/countries/{cid}/regions"
        return await self._cached(path, ApiRequest("GET", path, "get_regions"), Region)

    async def cities(self, country_id: int, region_id: int) -> tuple[City, ...]:
        """Cities of a region. 100 units once per region."""
        cid = params.integer("country_id", country_id, minimum=1)
        rid = params.integer("region_id", region_id, minimum=1)
        path = f"{INFO}/countries/{cid}/regions/{rid}/cities"
        return await self._cached(path, ApiRequest("GET", path, "get_cities"), City)

    def clear(self) -> None:
        """Forget cached lists."""
        self._cache.clear()
