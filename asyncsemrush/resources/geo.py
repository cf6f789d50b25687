"""``sr.geo``: countries, regions and cities, cached for the client's life."""

from __future__ import annotations

import asyncio
from typing import Any

from .. import _convert, params
from .._wire import ApiRequest
from ..models import City, Country, Region
from ._base import Resource

INFO = "/management/v1/info"


class GeoResource(Resource):
    """Where a tracking campaign can be located. Each list costs 100 units the first
    time; answers are kept in memory for the client's life (they rarely change), and
    concurrent calls for the same list share one request."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._cache: dict[str, asyncio.Task[tuple[Any, ...]]] = {}

    async def _fetch(self, request: ApiRequest, cls: type[Any]) -> tuple[Any, ...]:
        response = await self._send(request)
        return tuple(_convert.rows(response.data, cls, "$"))

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
