"""A faithful local Semrush Projects API server: the embedded default and test fixture.

``async with Sandbox(units=..., keywords=..., seed=..., faults=...) as sb:`` serves the
whole API on a free port of 127.0.0.1; point a client at ``sb.base_url`` with
``sb.api_key``. Every request is recorded (``sb.requests``) with the units it was
charged (``sb.units_charged``), so tests can compare a client's ledger with what the
server billed. ``python -m asyncsemrush.sandbox`` serves it from the command line.
"""

from __future__ import annotations

import datetime as dt
from types import TracebackType
from typing import Any

from aiohttp import web

from .._redact import register_secret
from . import _gen as gen
from ._routes import routes
from ._server import Faults, RecordedRequest, SandboxServer
from ._state import EDITIONS, Edition, World

__all__ = ["DEFAULT_END_DATE", "EDITIONS", "Faults", "RecordedRequest", "Sandbox"]

#: The last collected date of generated campaigns (fixed, so output never drifts).
DEFAULT_END_DATE = dt.date(2026, 1, 31)


class Sandbox:
    """The Semrush Projects API, emulated on 127.0.0.1.

    ``units``: the account's starting balance. ``keywords``: keywords in the demo
    campaign (project ``sb.project_id``, campaign ``sb.campaign_id``), generated
    lazily, up to 200,000 and more. ``competitors``: its tracked competitors (up to 5,
    so with the tracked domain up to 6 domains). ``days``: collected dates, ending
    ``end_date``. ``rate_limit``: requests per second before HTTP 429 (``None``:
    unlimited); ``max_concurrent``: requests in flight before 429. ``faults``:
    injected failures (:class:`Faults`). ``max_page_size``: the most rows a page the
    service serves (the real one's is not documented): a bigger ``display_limit`` is
    served that many rows, the answer's ``limit`` saying so (``None``: as asked).
    ``page_cache_bytes``: rendered position pages kept for a repeated query (0: none). The
    same ``seed`` gives byte-identical answers. ``edition``: ``"today"`` (the default)
    answers in the shapes the service documents today (``CURRENT_V3.md``: tools as
    objects, ``"-"`` for not ranking, float metrics, ``Diff`` entries, the new
    endpoints and enable answer); ``"2015"`` in the shapes of the 2015 reference.
    """

    def __init__(
        self,
        *,
        units: int = 10_000_000,
        keywords: int = 1_000,
        competitors: int = 2,
        days: int = 30,
        end_date: dt.date = DEFAULT_END_DATE,
        seed: int = 0,
        faults: Faults | None = None,
        rate_limit: float | None = 10.0,
        max_concurrent: int = 10,
        projects_limit: int = 20,
        keywords_limit: int = 1_000_000,
        audit_pages: int = 200,
        audit_duration: float = 1.0,
        page_cache_bytes: int = 256 * 1024 * 1024,
        api_disabled: bool = False,
        max_page_size: int | None = None,
        edition: Edition = "today",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not 0 <= competitors <= 19:
            raise ValueError("competitors must be between 0 and 19")
        if edition not in EDITIONS:
            raise ValueError(f"edition must be one of {', '.join(EDITIONS)}")
        self.edition = edition
        self.seed = seed
        self.api_key = "".join(f"{gen.mix(seed, k):08x}" for k in range(1, 5))
        register_secret(self.api_key)
        world = World(
            seed=seed,
            keywords=keywords,
            competitors=competitors,
            end_date=end_date,
            days=days,
            projects_limit=projects_limit,
            keywords_limit=keywords_limit,
            audit_pages=audit_pages,
            audit_duration=audit_duration,
            edition=edition,
        )
        self.server = SandboxServer(
            world,
            api_key=self.api_key,
            units=units,
            rate_limit=rate_limit,
            max_concurrent=max_concurrent,
            faults=faults or Faults(),
            page_cache_bytes=page_cache_bytes,
            api_disabled=api_disabled,
            max_page_size=max_page_size,
        )
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> Sandbox:
        """Start serving; ``base_url`` is set once this returns."""
        if self._runner is not None:
            return self
        runner = web.AppRunner(self.server.app(routes), handler_cancellation=True, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        """Stop serving (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ---------------------------------------------------------------- what tests read

    @property
    def project_id(self) -> int:
        """The demo project (Position Tracking with generated keywords)."""
        return self.server.world.FIRST_PROJECT

    @property
    def campaign_id(self) -> str:
        """The demo project's tracking campaign ID (``{project}_{n}``)."""
        return self.server.world.projects[self.project_id].campaigns[0].campaign_id

    @property
    def audit_project_id(self) -> int:
        """The project with Site Audit enabled and three snapshots."""
        return self.server.world.FIRST_PROJECT + 7919

    @property
    def tracked_url(self) -> str:
        """The rootdomain mask of the demo campaign's domain."""
        return "*.example.com/*"

    @property
    def competitor_urls(self) -> list[str]:
        """Rootdomain masks of the demo campaign's competitors."""
        campaign = self.server.world.projects[self.project_id].campaigns[0]
        return [f"*.{c}/*" for c in campaign.competitors]

    @property
    def balance(self) -> int:
        """Units left on the account."""
        return self.server.balance

    @balance.setter
    def balance(self, units: int) -> None:
        self.server.balance = units

    @property
    def units_charged(self) -> int:
        """Units charged so far."""
        return self.server.units_charged

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in arrival order (key redacted)."""
        return self.server.requests

    def charged_by_type(self) -> dict[str, int]:
        """Units charged per report type."""
        out: dict[str, int] = {}
        for r in self.server.requests:
            if r.units:
                out[r.report_type] = out.get(r.report_type, 0) + r.units
        return out

    def max_requests_in_window(self, window: float = 1.0) -> int:
        """The most requests that arrived within any ``window`` seconds."""
        return self.server.max_requests_in_window(window)

    def collect_date(self, campaign_id: str | None = None) -> dt.date:
        """Let a campaign collect its next day (the demo campaign by default), as the
        service does once a day: reports that include the latest date change, earlier
        dates stay as they were. Returns the new latest date."""
        world = self.server.world
        _, campaign = world.campaign(campaign_id if campaign_id is not None else self.campaign_id)
        campaign.dates.append(campaign.dates[-1] + dt.timedelta(days=1))
        self.server.invalidate()
        self.server.rows.clear()
        return campaign.dates[-1]

    def reset_log(self) -> None:
        """Forget recorded requests (totals of charged units are kept)."""
        self.server.requests.clear()

    def __repr__(self) -> str:
        return (
            f"<Sandbox {self.base_url or 'stopped'} seed={self.seed} edition={self.edition}"
            f" balance={self.balance}>"
        )

    def describe(self) -> dict[str, Any]:
        """What a person needs to point a client at this sandbox."""
        return {
            "base_url": self.base_url,
            "api_key": self.api_key,
            "edition": self.edition,
            "project_id": self.project_id,
            "campaign_id": self.campaign_id,
            "audit_project_id": self.audit_project_id,
            "tracked_url": self.tracked_url,
            "competitor_urls": self.competitor_urls,
        }
