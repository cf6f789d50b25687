"""``asyncsemrush prices``: the price table, and a measurement of it against the account.

``prices check TYPE...`` sends one small request of each chosen report type, alone,
between two free balance reads, and prints where the account was charged something else
than the table says: how a user learns that a price changed before it costs them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click

from ..pricing import DEFAULT_PRICES
from ..resources import SiteAuditResource, TrackingResource
from ._app import cli, command
from ._run import EXIT_API, EXIT_INPUT, Exit, Session, Settings, interactive, money, run

Probe = Callable[[Session, "Targets"], Awaitable[Any]]


class Targets:
    """What the probes need: a campaign, a project, a domain (from the options)."""

    def __init__(self, campaign: str | None, project: str | None, domain: str | None) -> None:
        self.campaign, self.project, self.domain = campaign, project, domain


def _rows(kind: str, report: str) -> Probe:
    async def probe(x: Session, t: Targets) -> Any:
        tracking = _tracking(x, t)
        if report == "positions":
            return await tracking.positions(kind=kind, max_rows=1).collect()  # type: ignore[arg-type]
        if report == "competitors":
            return await tracking.competitors(kind=kind, max_rows=1).collect()  # type: ignore[arg-type]
        domain = _need(t.domain, "--domain")
        return await tracking.landing_pages(domain, kind=kind, max_rows=1).collect()  # type: ignore[arg-type]

    return probe


def _need(value: str | None, option: str) -> str:
    if value is None:
        raise click.UsageError(f"this report type needs {option}")
    return value


def _tracking(x: Session, t: Targets) -> TrackingResource:
    return x.client.tracking(_need(t.campaign, "--campaign"))


def _audit(x: Session, t: Targets) -> SiteAuditResource:
    return x.client.site_audit(_need(t.project, "--project"))


#: The report types that can be measured, and the smallest request of each (read-only
#: calls only: nothing is created or changed on the account).
PROBES: dict[str, Probe] = {
    "project_list": lambda x, t: x.client.projects.list(),
    "get_countries": lambda x, t: x.client.geo.countries(),
    "location_search": lambda x, t: x.client.geo.locations("United States"),
    "tracking_campaigns_list": lambda x, t: _tracking(x, t).campaigns(),
    "tracking_campaign_dates": lambda x, t: _tracking(x, t).campaign_dates(),
    "tracking_overview_organic": lambda x, t: _tracking(x, t).overview(),
    "tracking_overview_adwords": lambda x, t: _tracking(x, t).overview(kind="adwords"),
    "tracking_visibility_organic": lambda x, t: _tracking(x, t).visibility(),
    "tracking_visibility_adwords": lambda x, t: _tracking(x, t).visibility(kind="adwords"),
    "tracking_position_organic": _rows("organic", "positions"),
    "tracking_position_adwords": _rows("adwords", "positions"),
    "tracking_competitors_organic": _rows("organic", "competitors"),
    "tracking_competitors_adwords": _rows("adwords", "competitors"),
    "tracking_landing_pages_organic": _rows("organic", "landing"),
    "tracking_landing_pages_adwords": _rows("adwords", "landing"),
    "siteaudit_campaign_info": lambda x, t: _audit(x, t).info(),
    "siteaudit_snapshot_list": lambda x, t: _audit(x, t).snapshots(),
    "siteaudit_meta": lambda x, t: _audit(x, t).issues_meta(),
}


@cli.group()
def prices() -> None:
    """The price table, and a measurement of it against the account."""


@command(prices, "list")
def prices_list(s: Settings) -> int:
    """Every report type and its price in units (nothing is sent)."""
    for name, price in sorted(DEFAULT_PRICES.items()):
        parts = [
            f"{value:,} per {unit}"
            for value, unit in (
                (price.per_request, "request"),
                (price.per_line, "row"),
                (price.per_keyword, "keyword added"),
                (price.per_snapshot, "snapshot"),
            )
            if value
        ] or ["free"]
        click.echo(f"{name}: {', '.join(parts)}")
    return 0


@command(prices, "check")
@click.argument("report_types", nargs=-1, required=True)
@click.option("--campaign", default=None, help="Campaign ID for the tracking reports.")
@click.option("--project", default=None, help="Project ID for the Site Audit reports.")
@click.option("--domain", default=None, help="Domain (no mask) for the landing-pages reports.")
def prices_check(
    s: Settings,
    report_types: tuple[str, ...],
    campaign: str | None,
    project: str | None,
    domain: str | None,
) -> int:
    """Measure the real price of report types: one small request of each (one row for
    per-row reports), sent alone between two free balance reads; prints where the
    account was charged something else than the price table says. Read-only calls only:
    {types}. Asks before spending (--yes skips; without a terminal --yes is needed).
    Exact only when nothing else spends on the key meanwhile."""
    unknown = [t for t in report_types if t not in PROBES]
    if unknown:
        click.echo(
            f"bad input: cannot measure {', '.join(unknown)}; one of {', '.join(sorted(PROBES))}",
            err=True,
        )
        return EXIT_INPUT
    targets = Targets(campaign, project, domain)

    async def work(x: Session) -> None:
        table = x.client.prices
        worst = sum(table.estimate(t, lines=1) for t in report_types)
        x.err.print(
            f"measuring {len(report_types)} report type(s): at most {worst:,} units "
            f"({money(worst)}), each alone between two free balance reads"
        )
        if s.dry_run:
            x.out.print(f"worst case: {worst:,} units ({money(worst)}); nothing was sent")
            return
        if not s.yes:
            if not interactive():
                x.fail(EXIT_INPUT, "no terminal to confirm on: add --yes to spend")
            if not click.confirm(f"spend up to {worst:,} units?", err=True):
                x.fail(EXIT_INPUT, "nothing was sent")
        results = []
        await x.client.reconcile()  # the first mark
        for report_type in report_types:
            before = len(x.client.ledger)
            await PROBES[report_type](x, targets)
            report = await x.client.reconcile()
            entries = [e for e in x.client.ledger.entries[before:] if e.report_type == report_type]
            rows = sum(e.lines or 0 for e in entries)
            expected = sum(e.actual for e in entries)
            results.append(
                {
                    "report_type": report_type,
                    "rows": rows,
                    "table_units": expected,
                    "charged_units": report.charged,
                    "verdict": "ok" if report.charged == expected else "PRICE DIFFERS",
                }
            )
        x.show(results, title="prices")
        wrong = [r for r in results if r["verdict"] != "ok"]
        for r in wrong:
            x.err.print(
                f"{r['report_type']}: the table says {r['table_units']:,} units for "
                f"{r['rows']} row(s), the account was charged {r['charged_units']:,}: "
                "override it with PriceTable().with_prices(...)"
            )
        if wrong:
            raise Exit(EXIT_API)

    return run(s, work)


assert prices_check.help is not None
prices_check.help = prices_check.help.replace("{types}", ", ".join(sorted(PROBES)))
