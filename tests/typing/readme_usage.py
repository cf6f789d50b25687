"""The public API used the way the README shows it; checked by mypy --strict (nox -s typecheck).

Not collected by pytest: it type-checks usage, it does not run it.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from asyncsemrush import (
    AsyncPaginator,
    DisplayFilter,
    Keyword,
    PartialResponseError,
    SemrushClient,
    UnitBudget,
    UrlMask,
)
from asyncsemrush.models import PositionRow, Project, SiteAuditInfo, Snapshot


async def main() -> None:
    async with SemrushClient(api_key="…", budget=UnitBudget(50_000), rate_limit=10) as sr:
        projects: list[Project] = await sr.projects.list()
        for p in projects:
            print(p.project_id, p.project_name, p.url)
        tracking = sr.tracking("6647718_272401")
        pager: AsyncPaginator[PositionRow] = tracking.positions(
            UrlMask.rootdomain("ebay.com"),
            date_begin=dt.date(2026, 1, 1),
            date_end=dt.date(2026, 1, 31),
            filters=[DisplayFilter.include("Nq", "Gt", 100)],
            sort="0_pos_asc",
            page_size=1000,
            max_units=200_000,
        )
        try:
            async for row in pager:
                position: int | None = row.position("*.ebay.com/*", dt.date(2026, 1, 31))
                print(row.keyword, row.cpc, row.volume, position)
        except PartialResponseError as exc:
            resume: int = exc.resume_offset
            print(resume)
        await tracking.add_keywords([Keyword("red shoes", tags=("shoes",))])
        audit = sr.site_audit(6647718)
        info: SiteAuditInfo = await audit.info()
        snapshot: Snapshot = await audit.launch_and_wait(poll=30, timeout=3600)
        value, responses = await sr.with_response(sr.projects.get(6647718))
        print(info.status, snapshot.snapshot_id, value.project_name, responses[0].units)
        spent: int = sr.ledger.spent
        remaining: int | None = sr.budget.remaining if sr.budget else None
        print(spent, remaining)


if __name__ == "__main__":
    asyncio.run(main())
