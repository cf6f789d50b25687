"""``asyncsemrush demo``: a realistic pull from the embedded sandbox into positions.csv."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from ._run import Session, Settings, run, say

#: Pages in flight in the demo's pull unless ``--prefetch`` says otherwise. The sandbox
#: renders each page on the same CPU, in the same process, so pages in flight past the
#: one rendering and the one being written gain little: the default (8, following the
#: render's "latency") took 44 s at a 1.06 GB peak, 3 took 47 s at 0.67 GB, 2 took
#: 48-54 s at 0.59 GB (2 cores, 2026-12-02).
DEMO_PREFETCH = 3


def demo(settings: Settings, *, keywords: int = 20_000, days: int = 30) -> int:
    """Start the sandbox in-process and pull every position of its demo campaign
    (``keywords`` keywords × ``days`` days × 3 domains) with prefetch, to CSV."""
    output = settings.output or Path("positions.csv")
    if settings.dry_run:  # it used to run anyway, and write 204 MB
        units = keywords * 100
        say(
            f"demo (dry run): would start the sandbox and pull {keywords:,} keywords × {days} "
            f"days × 3 domains into {output}: {-(-keywords // 1000):,} requests, "
            f"{units:,} sandbox units (not money); nothing was done"
        )
        return 0
    settings = attrs.evolve(
        settings,
        sandbox=True,
        yes=True,  # the sandbox's units are not money: no question to ask
        output=output,
        # each page is asked for once: a cache of rendered pages (256 MiB by default)
        # would only hold memory (at 1 page in flight the demo peaked at 705 MB with it,
        # 474 MB without)
        sandbox_options={
            "keywords": keywords,
            "days": days,
            "competitors": 2,
            "page_cache_bytes": 0,
        },
    )

    async def work(x: Session) -> None:
        sb = x.sandbox
        assert sb is not None
        last = sb.server.world.end_date
        begin = last - dt.timedelta(days=days - 1)
        say(
            f"demo: sandbox at {sb.base_url}, campaign {sb.campaign_id}: {keywords:,} keywords × "
            f"{days} days × 3 domains ({begin} to {last}) → {output}"
        )
        pager = x.client.tracking(sb.campaign_id).positions(
            [sb.tracked_url, *sb.competitor_urls],
            date_begin=begin,
            date_end=last,
            page_size=1000,
            prefetch=DEMO_PREFETCH if settings.prefetch is None else settings.prefetch,
        )
        await x.pull(pager, label="positions")
        say(
            f"wrote {output} ({output.stat().st_size / 1e6:.1f} MB); "
            f"the sandbox charged {sb.units_charged:,} units, "
            f"the ledger says {x.client.ledger.spent:,}"
        )

    return run(settings, work, needs_key=False)
