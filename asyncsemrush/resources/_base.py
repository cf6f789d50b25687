"""What every resource namespace shares: send a request, structure its answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from .. import _convert
from .._wire import ApiRequest, ApiResponse
from ..errors import ResponseFormatError
from ..models import CompetitorRow, LandingPageRow, PositionRow
from ..pagination import AsyncPaginator, Shape
from ..params import integer

if TYPE_CHECKING:
    from .._client import SemrushClient

T = TypeVar("T")
log = logging.getLogger("asyncsemrush")


#: The wire key that is unique per row of a report: a repeat within a pull is an error.
IDENTITY: dict[type, str] = {PositionRow: "Pi", CompetitorRow: "Ur", LandingPageRow: "Ur"}

MANAGEMENT = "/management/v1/projects"
REPORTS = "/reports/v1/projects"


class Resource:
    """Base of the resource namespaces (``sr.projects``, ``sr.tracking(id)``, ...)."""

    def __init__(self, client: SemrushClient) -> None:
        self._client = client
        self._sender = client._sender

    async def _send(self, request: ApiRequest) -> ApiResponse:
        return await self._sender.execute(request)

    async def _get(self, request: ApiRequest, cls: type[T]) -> T:
        """A read: its answer as ``cls``, or a ResponseFormatError carrying the answer."""
        response = await self._send(request)
        return cast(T, _convert.structure(response.data, cls))

    async def _write(self, request: ApiRequest, cls: type[T]) -> T:
        """A write: it succeeded (and was paid for) once the service answered without an
        error, so a surprise in the answer's shape never raises: what can be typed is
        returned, the rest listed in ``problems`` (and logged), unknown fields in
        ``extra``; ``sr.with_response()`` gives the raw answer."""
        response = await self._send(request)
        try:
            return cast(T, _convert.structure(response.data, cls))
        except ResponseFormatError as exc:
            log.warning(
                "%s succeeded but its answer did not fit %s (%s); returning what was read",
                request.report_type,
                cls.__name__,
                exc,
            )
            return cast(T, _convert.salvage(response.data, cls))

    def _paginate(
        self,
        request: Callable[[int, int], ApiRequest],
        row: type[T],
        report_type: str,
        *,
        page_size: int,
        max_rows: int | None,
        max_units: int | None,
        prefetch: int | None,
        start_offset: int,
        page_mode: bool = False,
        speculate: bool = False,
        on_max_units: Literal["stop", "raise"] = "stop",
    ) -> AsyncPaginator[T]:
        shape = Shape(
            request=request,
            parse=lambda data, where: _convert.rows_until_error(data, row, where),
            page_mode=page_mode,
            identity=IDENTITY.get(row),
        )
        return AsyncPaginator(
            self._sender,
            shape,
            report_type=report_type,
            page_size=page_size,
            max_rows=max_rows,
            max_units=max_units,
            prefetch=prefetch,
            start_offset=start_offset,
            speculate=speculate,
            on_max_units=on_max_units,
        )


def optional_int(parameter: str, value: object, **bounds: int) -> str | None:
    """A bounded whole number as a query value, or None."""
    if value is None:
        return None
    return str(integer(parameter, value, **bounds))


def query(**values: object) -> dict[str, str]:
    """Query parameters without the ones left out (None)."""
    return {k: str(v) for k, v in values.items() if v is not None}
