"""The ``asyncsemrush`` commands (click)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, cast

import attrs
import click
from click.core import ParameterSource

from .. import __version__, params, pricing
from ..pagination import AsyncPaginator
from ..params import TOP_FILTERS, URL_TYPES
from ..pricing import Usage
from ._run import (
    EXIT_INPUT,
    FORMATS,
    Session,
    Settings,
    money,
    rows_to_pull,
    run,
    run_sandbox,
    say,
)

F = Callable[..., Any]


def shared_options(f: F) -> F:
    """Options every command accepts (also before the command name)."""
    options = [
        click.option(
            "--api-key",
            envvar="SEMRUSH_API_KEY",
            show_envvar=True,
            default=None,
            help="Semrush API key.",
        ),
        click.option(
            "--sandbox", is_flag=True, default=None, help="Run against an in-process sandbox."
        ),
        click.option(
            "--sandbox-edition",
            type=click.Choice(["today", "2015"]),
            default=None,
            help="With --sandbox: today's documented shapes (default) or 2015's.",
        ),
        click.option(
            "--base-url", default=None, help="API base URL (default https://api.semrush.com)."
        ),
        click.option(
            "--max-units",
            type=click.IntRange(min=0),
            default=None,
            help="Spend at most this many units.",
        ),
        click.option(
            "--rate-limit",
            type=click.FloatRange(min=0.01),
            default=None,
            help="Requests per second (default 10).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            default=None,
            help="Requests in flight (default 10).",
        ),
        click.option(
            "--prefetch",
            type=click.IntRange(1, 64),
            default=None,
            help="Pages in flight in a pull (default: 4 to 8, following the rate limit).",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=None,
            help="Output format (default: table, or from -o's suffix).",
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Write to FILE.",
        ),
        click.option(
            "-v", "--verbose", count=True, default=None, help="Log requests (-vv: every attempt)."
        ),
        click.option("-q", "--quiet", is_flag=True, default=None, help="No progress or summary."),
        click.option(
            "--dry-run", is_flag=True, default=None, help="Print the worst-case cost and stop."
        ),
        click.option(
            "--summary-json",
            type=click.Path(dir_okay=False, allow_dash=True),
            default=None,
            metavar="FILE|-",
            help="Write the run's summary as JSON (rows, units, resume offset...) to FILE or -.",
        ),
        click.option(
            "--columns",
            default=None,
            callback=lambda _ctx, _param, value: _columns(value),
            metavar="A,B,...",
            help="Only these columns, in this order (CSV, Parquet, tables; JSONL: keys).",
        ),
        click.option(
            "--profile",
            default=None,
            metavar="NAME",
            help="Settings of a profile in the profiles file (see --config).",
        ),
        click.option(
            "--config",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            metavar="FILE",
            help="The profiles file (default ~/.config/asyncsemrush/profiles.ini).",
        ),
        click.option(
            "--yes", "-y", is_flag=True, default=None, help="Do not ask before a costly pull."
        ),
        click.option(
            "--confirm-above",
            type=click.IntRange(min=0),
            default=None,
            metavar="UNITS",
            help="Ask before a pull that may cost more (default 100,000 units, $5).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1, max=3600),
            default=None,
            help="Seconds an attempt may take after its rate-limit slot (default 60).",
        ),
        click.option(
            "--retries",
            type=click.IntRange(0, 20),
            default=None,
            help="Retries after a failed attempt (default 4; 0: none).",
        ),
        click.option(
            "--cache",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            metavar="FILE",
            help="Answer Position Tracking reports already paid for from this SQLite "
            "cache (0 units; README: Paying once).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _columns(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    if not names:
        raise click.BadParameter("one column name or more, separated by commas")
    return names


def settings_of(ctx: click.Context, local: dict[str, Any]) -> Settings:
    """The group's settings with the command's own options on top. An option given on
    the command line wins wherever it stands; a value the command took from the
    environment (``SEMRUSH_API_KEY``) never overrides one typed before the command (it
    did, and billed the environment's account)."""
    root = ctx.find_root()
    base: Settings = root.obj
    shared: dict[str, Any] = {}
    typed: set[str] = set()
    for k in (
        "api_key", "sandbox", "sandbox_edition", "base_url", "max_units", "rate_limit",
        "concurrency", "prefetch", "fmt", "output", "verbose", "quiet", "dry_run",
        "summary_json", "timeout", "retries", "yes", "confirm_above", "columns",
        "profile", "config", "cache",
    ):  # fmt: skip
        if k not in local:
            continue
        value = local.pop(k)
        typed_here = ctx.get_parameter_source(k) is ParameterSource.COMMANDLINE
        typed_before = root.get_parameter_source(k) is ParameterSource.COMMANDLINE
        if typed_here or not typed_before:
            shared[k] = value
        if typed_here or typed_before:
            typed.add(k)
    return attrs.evolve(base.merged(**shared), typed=frozenset(typed))


def _last_to_dates(values: dict[str, Any]) -> None:
    """``--last 30d`` (or ``4w``) as ``date_begin``/``date_end``: the N days up to
    today (UTC), today included."""
    last = values.pop("last")
    if last is None:
        return
    match = re.fullmatch(r"(\d+)([dw]?)", last.strip().lower())
    if match is None or int(match.group(1)) < 1:
        raise click.BadParameter("N days (30d), or N weeks (4w), N >= 1", param_hint="--last")
    if values.get("date_begin") or values.get("date_end"):
        raise click.BadParameter("give --last or --date-begin/--date-end", param_hint="--last")
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    today = dt.datetime.now(dt.timezone.utc).date()
    values["date_begin"] = (today - dt.timedelta(days=days - 1)).isoformat()
    values["date_end"] = today.isoformat()


def command(group: click.Group, name: str, **kwargs: Any) -> Callable[[F], click.Command]:
    """A subcommand that also takes the shared options and receives its Settings."""

    def wrap(f: F) -> click.Command:
        @functools.wraps(f)
        @click.pass_context
        def body(ctx: click.Context, /, **values: Any) -> None:
            settings = settings_of(ctx, values)
            if "last" in values:
                _last_to_dates(values)
            ctx.exit(f(settings, **values))

        # --help lists the command's own options first, the shared ones after them
        own = list(getattr(f, "__click_params__", []))
        body.__click_params__ = []  # type: ignore[attr-defined]
        shared_options(body)
        body.__click_params__ += own  # type: ignore[attr-defined]
        kwargs.setdefault("context_settings", {"show_default": True})
        return group.command(name, **kwargs)(body)

    return wrap


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="asyncsemrush", message="%(prog)s %(version)s"
)
@shared_options
@click.pass_context
def cli(ctx: click.Context, /, **values: Any) -> None:
    """Semrush Projects API from the command line: every request priced before it is sent.

    Progress and summaries go to stderr; data to stdout or -o FILE.
    Exit codes: 0 ok, 1 API/usage error, 2 bad input, 3 units exhausted, 130 interrupted.
    """
    argv = ctx.obj.get("argv") if isinstance(ctx.obj, dict) else None
    ctx.obj = Settings(argv=list(argv if argv is not None else sys.argv[1:])).merged(**values)


def one_request(
    s: Settings,
    report_type: str,
    work: Callable[[Session], Awaitable[None]],
    usage: Usage = Usage(),  # noqa: B008
    follow_ups: Sequence[tuple[str, Usage]] = (),
) -> int:
    """Run a command that sends one ``report_type`` request (and the ``follow_ups`` it
    makes); with --dry-run print their price from the table instead and send nothing."""

    async def go(x: Session) -> None:
        if not s.dry_run:
            await work(x)
            if not s.quiet:  # what it cost, as a pull's summary says
                spent = x.client.ledger.spent
                say(f"cost: {spent:,} units ({money(spent)})")
            return
        units = x.client.prices.cost(report_type, usage) + sum(
            x.client.prices.cost(t, u) for t, u in follow_ups
        )
        x.out.print(f"worst case: {units:,} units ({money(units)}); nothing was sent")

    return run(s, go)


async def dry_run_pull(s: Session, pager: AsyncPaginator[Any]) -> None:
    """The worst case of a pull, from one 1-row probe for the total (which is paid)."""
    cost = await s.worst_case(pager)
    s.out.print(
        f"worst case: {cost.rows:,} rows in {cost.requests:,} requests, "
        f"{cost.units:,} units ({money(cost.units)}); "
        f"probe: 1 request of 1 row, {cost.probe_units:,} units spent"
    )
    cap = s.settings.max_units
    if cap is not None:  # what the cap buys of it
        price = s.client.prices[pager.report_type]
        per_row = price.per_line or price.per_snapshot
        rows = cost.rows
        if per_row:  # (a real run sends no probe when --max-units bounds it)
            per_page = price.per_request + per_row * pager.page_size
            pages, left = divmod(cap, per_page)
            last = max(left - price.per_request, 0) // per_row
            rows = min(cost.rows, pages * pager.page_size + last)
        s.out.print(
            f"--max-units {cap:,} buys {rows:,} of those {cost.rows:,} rows"
            f"{'' if rows >= cost.rows else f'; resume from row {pager.start_offset + rows:,}'}"
        )


# ---------------------------------------------------------------------- projects


@cli.group()
def projects() -> None:
    """List, show, create and delete projects."""


@command(projects, "list")
def projects_list(s: Settings) -> int:
    """All projects (100 units)."""

    async def work(x: Session) -> None:
        x.show(await x.client.projects.list(), title="projects")

    return one_request(s, "project_list", work)


@command(projects, "get")
@click.argument("project_id")
def projects_get(s: Settings, project_id: str) -> int:
    """One project (100 units)."""

    async def work(x: Session) -> None:
        x.show([await x.client.projects.get(project_id)])

    return one_request(s, "project_get", work)


@command(projects, "create")
@click.argument("name")
@click.argument("url")
@click.option("--keyword", "keywords", multiple=True, help="A keyword to track (repeatable).")
@click.option(
    "--competitor", "competitors", multiple=True, help="A competitor domain (repeatable)."
)
def projects_create(
    s: Settings, name: str, url: str, keywords: tuple[str, ...], competitors: tuple[str, ...]
) -> int:
    """Create a project (100 units; keywords are then added at 100 each, competitors
    for 100)."""

    async def work(x: Session) -> None:
        project = await x.client.projects.create(
            name, url, keywords=list(keywords) or None, competitors=list(competitors) or None
        )
        x.show([project])

    follow_ups = [("project_add_keywords", Usage(keywords=len(keywords)))] if keywords else []
    if competitors:
        follow_ups.append(("project_add_competitors", Usage()))
    return one_request(s, "project_create", work, follow_ups=follow_ups)


@command(projects, "delete")
@click.argument("project_id")
def projects_delete(s: Settings, project_id: str) -> int:
    """Delete a project and its campaigns (100 units)."""

    async def work(x: Session) -> None:
        x.confirm(f"delete project {project_id} and all its campaigns? It cannot be undone")
        await x.client.projects.delete(project_id)
        x.err.print(f"deleted project {project_id}")

    return one_request(s, "project_delete", work)


# ---------------------------------------------------------------------- tracking


@command(cli, "campaigns")
@click.argument("project_id")
def campaigns(s: Settings, project_id: str) -> int:
    """A project's Position Tracking campaigns (100 units)."""

    async def work(x: Session) -> None:
        listed = await x.client.tracking(project_id).campaigns()
        x.show(listed.campaigns, title=f"campaigns of {listed.project_id}")

    return one_request(s, "tracking_campaigns_list", work)


def report_options(f: F) -> F:
    for option in reversed(
        [
            click.option(
                "--kind",
                type=click.Choice(["organic", "adwords"]),
                default="organic",
                help="Organic or AdWords (paid) results.",
            ),
            click.option("--date-begin", default=None, help="YYYY-MM-DD or YYYYMMDD."),
            click.option("--date-end", default=None, help="YYYY-MM-DD or YYYYMMDD."),
            click.option(
                "--last",
                default=None,
                metavar="N[d|w]",
                help="The last N days (or weeks) up to today (UTC), instead of the dates.",
            ),
            click.option("--tags", multiple=True, help="Only keywords with this tag (repeatable)."),
        ]
    ):
        f = option(f)
    return f


def pull_options(f: F) -> F:
    for option in reversed(
        [
            click.option(
                "--page-size",
                type=click.IntRange(min=1),
                default=None,
                help="Rows per request (default: the report's; 0 is refused).",
            ),
            click.option("--max-rows", type=int, default=None, help="Stop after this many rows."),
            click.option("--start-offset", type=int, default=0, help="Resume from this row."),
            click.option("--append", is_flag=True, help="Append to -o FILE (when resuming)."),
        ]
    ):
        f = option(f)
    return f


@command(cli, "positions")
@click.argument("campaign_id")
@click.option(
    "--url",
    "urls",
    multiple=True,
    help="A url mask such as *.ebay.com/* (up to 6; default: the campaign's URL).",
)
@report_options
@pull_options
@click.option(
    "--filter", "filters", multiple=True, help="+|Nq|Gt|100 style condition (repeatable)."
)
@click.option("--sort", default=None, help="ph_asc, nq_desc, 0_pos_asc, ...")
@click.option(
    "--top-filter",
    type=click.Choice(TOP_FILTERS),
    default=None,
    metavar="FILTER",
    help="Keywords in a top range: top_3, top_1page_income, top_100_leave, ...",
)
@click.option("--serp-feature", default=None, help="fsn,0 style: keywords with a SERP feature.")
@click.option("--wide", is_flag=True, help="CSV: one line per keyword × domain, a column per date.")
def positions(
    s: Settings,
    campaign_id: str,
    urls: tuple[str, ...],
    kind: str,
    date_begin: str | None,
    date_end: str | None,
    tags: tuple[str, ...],
    page_size: int | None,
    max_rows: int | None,
    start_offset: int,
    append: bool,
    filters: tuple[str, ...],
    sort: str | None,
    top_filter: str | None,
    serp_feature: str | None,
    wide: bool,
) -> int:
    """Keyword positions of up to 6 domains per date (100 units per row).

    \b
    Examples:
      asyncsemrush positions 6647718_272401 --url '*.example.com/*' --last 30d -o p.csv
      asyncsemrush --sandbox positions 6647718_272401 --max-rows 10 | head"""

    async def work(x: Session) -> None:
        pager = x.client.tracking(campaign_id).positions(
            list(urls) or None, kind=params.kind(kind), date_begin=date_begin,
            date_end=date_end, tags=list(tags) or None, filters="|".join(filters) or None,
            sort=sort, top_filter=top_filter, serp_feature=serp_feature,
            page_size=page_size or 1000, max_rows=max_rows, max_units=s.max_units,
            prefetch=s.prefetch, start_offset=start_offset,
        )  # fmt: skip
        if s.dry_run:
            return await dry_run_pull(x, pager)
        await x.pull(pager, label="positions", wide=wide, append=append)

    return run(s, work)


@command(cli, "competitors")
@click.argument("campaign_id")
@click.option(
    "--url-type",
    type=click.Choice(URL_TYPES),
    default="rootdomain",
    help="How the competitors' domains are matched.",
)
@click.option("--url", default=None, help="The tracked url mask.")
@click.option("--main-domain", default=None, help="Add this domain's own row (page meta Md).")
@report_options
@pull_options
@click.option("--sort", default=None, help="cl_desc, av_asc, ...")
def competitors(
    s: Settings,
    campaign_id: str,
    url_type: str,
    url: str | None,
    main_domain: str | None,
    kind: str,
    date_begin: str | None,
    date_end: str | None,
    tags: tuple[str, ...],
    page_size: int | None,
    max_rows: int | None,
    start_offset: int,
    append: bool,
    sort: str | None,
) -> int:
    """Domains ranking for the campaign's keywords (1,000 units per row)."""

    async def work(x: Session) -> None:
        pager = x.client.tracking(campaign_id).competitors(
            url_type=cast(params.UrlType, url_type), url=url, main_domain=main_domain,
            kind=params.kind(kind),
            date_begin=date_begin, date_end=date_end,
            tags=list(tags) or None, sort=sort, page_size=page_size or 100, max_rows=max_rows,
            max_units=s.max_units, prefetch=s.prefetch, start_offset=start_offset,
        )  # fmt: skip
        if s.dry_run:
            return await dry_run_pull(x, pager)
        await x.pull(pager, label="competitors", append=append)

    return run(s, work)


@command(cli, "landing-pages")
@click.argument("campaign_id")
@click.option(
    "--url", "domains", multiple=True, required=True, help="A domain, no mask (repeatable)."
)
@click.option(
    "--newlost",
    type=click.Choice(["new", "lost"]),
    default=None,
    help="Only pages new in, or lost from, the period.",
)
@report_options
@pull_options
@click.option("--sort", default=None, help="1_mc_desc, trdiff_desc, ...")
def landing_pages(
    s: Settings,
    campaign_id: str,
    domains: tuple[str, ...],
    newlost: str | None,
    kind: str,
    date_begin: str | None,
    date_end: str | None,
    tags: tuple[str, ...],
    page_size: int | None,
    max_rows: int | None,
    start_offset: int,
    append: bool,
    sort: str | None,
) -> int:
    """The domain's URLs ranking for the campaign's keywords (1,000 units per URL)."""

    async def work(x: Session) -> None:
        pager = x.client.tracking(campaign_id).landing_pages(
            list(domains), kind=params.kind(kind), date_begin=date_begin, date_end=date_end,
            tags=list(tags) or None, sort=sort, newlost=newlost, page_size=page_size or 100,
            max_rows=max_rows, max_units=s.max_units, prefetch=s.prefetch,
            start_offset=start_offset,
        )  # fmt: skip
        if s.dry_run:
            return await dry_run_pull(x, pager)
        await x.pull(pager, label="landing pages", append=append)

    return run(s, work)


@command(cli, "locations")
@click.argument("name", required=False)
@click.option("--country", "country_code", default=None, help="ISO alpha-2 code, such as US.")
@click.option("--type", "kind", default=None, help="city, country, postal code, ...")
def locations(s: Settings, name: str | None, country_code: str | None, kind: str | None) -> int:
    """Search the locations a campaign can track (its ID is enable's location_id;
    100 units)."""

    async def work(x: Session) -> None:
        found = await x.client.geo.locations(name, country_code=country_code, type=kind)
        x.show(
            [
                {
                    "location_id": m.location.id,
                    "name": m.location.name,
                    "type": m.location.type,
                    "country_code": m.location.country_code,
                    "languages": "|".join(lang.hl for lang in m.location.languages),
                    "volume_types": "|".join(m.available_volume_types),
                }
                for m in found
            ],
            title="locations",
        )

    return one_request(s, "location_search", work)


@command(cli, "visibility")
@click.argument("campaign_id")
@click.option(
    "--url", default=None, help="A url mask such as *.ebay.com/* (default: the campaign's)."
)
@report_options
def visibility(
    s: Settings,
    campaign_id: str,
    url: str | None,
    kind: str,
    date_begin: str | None,
    date_end: str | None,
    tags: tuple[str, ...],
) -> int:
    """A domain's visibility per date (100 units)."""

    async def work(x: Session) -> None:
        points = await x.client.tracking(campaign_id).visibility(
            url,
            kind=params.kind(kind),
            date_begin=date_begin,
            date_end=date_end,
            tags=list(tags) or None,
        )
        x.show(points, title="visibility")

    return one_request(s, f"tracking_visibility_{kind}", work)


@command(cli, "overview")
@click.argument("campaign_id")
@click.option(
    "--url", default=None, help="A url mask such as *.ebay.com/* (default: the campaign's)."
)
@click.option(
    "--kind",
    type=click.Choice(["organic", "adwords"]),
    default="organic",
    help="Organic or AdWords (paid) results.",
)
@click.option("--date-begin", default=None, help="YYYY-MM-DD or YYYYMMDD.")
@click.option("--date-end", default=None, help="YYYY-MM-DD or YYYYMMDD.")
def overview(
    s: Settings,
    campaign_id: str,
    url: str | None,
    kind: str,
    date_begin: str | None,
    date_end: str | None,
) -> int:
    """A domain's organic or AdWords rankings overview (100 units)."""

    async def work(x: Session) -> None:
        ov = await x.client.tracking(campaign_id).overview(
            url, kind=params.kind(kind), date_begin=date_begin, date_end=date_end
        )
        rows = [
            {
                "bucket": name,
                **{
                    k: getattr(getattr(ov, name), k)
                    for k in ("count", "improved", "declined", "difference", "left", "entered")
                },
            }
            for name in ("all", "top3", "top10", "top20")
        ]
        change = "" if ov.visibility_change is None else f" ({ov.visibility_change:+})"
        x.err.print(f"keywords {ov.total:,}, visibility {ov.visibility}{change}")
        x.show(rows, title="overview")

    return one_request(s, f"tracking_overview_{kind}", work)


@command(cli, "dates")
@click.argument("campaign_id")
def dates(s: Settings, campaign_id: str) -> int:
    """The dates a campaign was collected on (100 units)."""

    async def work(x: Session) -> None:
        got = await x.client.tracking(campaign_id).campaign_dates()
        x.show([{"date": d.isoformat()} for d in got.dates], title="dates")

    return one_request(s, "tracking_campaign_dates", work)


# ---------------------------------------------------------------------- site audit


@cli.group()
def audit() -> None:
    """Site Audit: info, launch, snapshots, issues, pages, history."""


@command(audit, "info")
@click.argument("project_id")
def audit_info(s: Settings, project_id: str) -> int:
    """The audit's state (100 units)."""

    async def work(x: Session) -> None:
        x.show([await x.client.site_audit(project_id).info()])

    return one_request(s, "siteaudit_campaign_info", work)


@command(audit, "launch")
@click.argument("project_id")
@click.option("--wait", is_flag=True, help="Poll until it finished.")
@click.option("--poll", type=float, default=10.0, help="Seconds between polls with --wait.")
@click.option(
    "--wait-timeout",
    type=float,
    default=3600.0,
    help="With --wait: give up waiting after this many seconds (--timeout is per attempt).",
)
def audit_launch(s: Settings, project_id: str, wait: bool, poll: float, wait_timeout: float) -> int:
    """Start an audit (100 units; with --wait, 100 per poll)."""

    async def work(x: Session) -> None:
        sa = x.client.site_audit(project_id)
        if wait:
            x.show([await sa.launch_and_wait(poll=poll, timeout=wait_timeout)])
        else:
            x.show([{"snapshot_id": await sa.launch()}])

    return one_request(s, "siteaudit_launch", work)


@command(audit, "snapshots")
@click.argument("project_id")
def audit_snapshots(s: Settings, project_id: str) -> int:
    """Past audits (100 units)."""

    async def work(x: Session) -> None:
        x.show(await x.client.site_audit(project_id).snapshots(), title="snapshots")

    return one_request(s, "siteaudit_snapshot_list", work)


@command(audit, "issues")
@click.argument("project_id")
@click.option("--snapshot", "snapshot_id", default=None, help="Snapshot ID (default: the latest).")
@click.option("--issue", "issue_id", type=int, default=None, help="List the pages with this issue.")
@pull_options
def audit_issues(
    s: Settings,
    project_id: str,
    snapshot_id: str | None,
    issue_id: int | None,
    page_size: int | None,
    max_rows: int | None,
    start_offset: int,
    append: bool,
) -> int:
    """A snapshot's issue counts (10,000 units), or with --issue the affected pages
    (100 units per page of rows)."""

    if issue_id is None:

        async def counts(x: Session) -> None:
            info = await x.client.site_audit(project_id).snapshot(snapshot_id)
            rows = [
                {"kind": kind, "id": c.id, "count": c.count, "delta": c.delta, "checks": c.checks}
                for kind, group in (
                    ("error", info.errors),
                    ("warning", info.warnings),
                    ("notice", info.notices),
                )
                for c in group
            ]
            x.err.print(
                f"snapshot {info.snapshot_id}: quality {info.quality} ({info.quality_delta:+})"
            )
            x.show(rows, title="issues")

        return one_request(s, "siteaudit_snapshot_info", counts)

    async def work(x: Session) -> None:
        sa = x.client.site_audit(project_id)
        sid = snapshot_id or (await sa.snapshots())[-1].snapshot_id
        pager = sa.issue(
            sid,
            issue_id,
            page_size=page_size or 100,
            max_rows=max_rows,
            max_units=s.max_units,
            prefetch=s.prefetch,
            start_offset=start_offset,
        )
        if s.dry_run:
            return await dry_run_pull(x, pager)
        await x.pull(pager, label=f"issue {issue_id}", append=append)

    return run(s, work)


@command(audit, "pages")
@click.argument("project_id")
@click.option("--url", "--url-contains", "url", required=True, help="A text the URLs contain.")
@click.option("--limit", type=int, default=10, help="Pages to list.")
def audit_pages(s: Settings, project_id: str, url: str, limit: int) -> int:
    """Crawled pages whose URL contains a text (100 units)."""

    async def work(x: Session) -> None:
        found = await x.client.site_audit(project_id).pages(url, limit=limit)
        x.err.print(f"{found.total:,} pages match")
        x.show(found.pages, title="pages")

    return one_request(s, "siteaudit_page_list", work)


@command(audit, "history")
@click.argument("project_id")
@pull_options
def audit_history(
    s: Settings,
    project_id: str,
    page_size: int | None,
    max_rows: int | None,
    start_offset: int,
    append: bool,
) -> int:
    """Past audits' scores (10,000 units per snapshot)."""

    async def work(x: Session) -> None:
        sa = x.client.site_audit(project_id)
        pager = sa.history(
            page_size=page_size or 7,
            max_rows=max_rows,
            max_units=s.max_units,
            prefetch=s.prefetch or 2,  # (the history's own default: its pages are dear)
            start_offset=start_offset,
        )
        if s.dry_run:
            # A 1-row probe of the history would cost 10,000 units: count the
            # snapshots from their list (100 units) instead.
            rows = rows_to_pull(pager, len(await sa.snapshots()))
            units = rows * x.client.prices["siteaudit_campaign_history"].per_snapshot
            x.out.print(
                f"worst case: {rows} snapshots, {units:,} units ({money(units)}); "
                "probe: the snapshot list, 100 units spent"
            )
            return None
        await x.pull(pager, label="history", append=append)

    return run(s, work)


# ---------------------------------------------------------------------- the rest


@command(cli, "geo")
@click.argument("what", type=click.Choice(["countries", "regions", "cities"]))
@click.argument("ids", nargs=-1, type=int)
def geo(s: Settings, what: str, ids: tuple[int, ...]) -> int:
    """countries | regions COUNTRY_ID | cities COUNTRY_ID REGION_ID (100 units each)."""
    wanted = {"countries": 0, "regions": 1, "cities": 2}[what]
    if len(ids) != wanted:
        click.echo(f"error: geo {what} takes {wanted} ID(s)", err=True)
        return EXIT_INPUT

    async def work(x: Session) -> None:
        g = x.client.geo
        rows = await (
            g.countries()
            if what == "countries"
            else g.regions(ids[0])
            if what == "regions"
            else g.cities(ids[0], ids[1])
        )
        x.show(rows, title=what)

    return one_request(s, f"get_{what}", work)


@command(cli, "balance")
def balance(s: Settings) -> int:
    """The account's API units balance (free)."""

    async def work(x: Session) -> None:
        units = await x.client.balance()
        x.out.print(f"{units:,} units ({money(units)})")

    return run(s, work)


@command(cli, "estimate")
@click.argument("report_type")
@click.option("--lines", type=click.IntRange(min=0), default=0, help="Rows asked for.")
@click.option("--keywords", type=click.IntRange(min=0), default=0, help="Keywords added.")
@click.option("--snapshots", type=click.IntRange(min=0), default=0, help="Snapshots asked for.")
def estimate(s: Settings, report_type: str, lines: int, keywords: int, snapshots: int) -> int:
    """Worst-case units and dollars of one request, from the price table (nothing is sent).

    REPORT_TYPE is a price-table name (asyncsemrush prices list) or a command's name:
    positions, competitors, landing-pages, visibility, overview, campaigns, ..."""
    report_type = COMMAND_REPORT_TYPES.get(report_type, report_type)
    try:
        price = pricing.DEFAULT_PRICES[report_type]
    except KeyError:
        known = ", ".join(sorted(COMMAND_REPORT_TYPES))
        click.echo(
            f"bad input: unknown report_type {report_type!r}: a command ({known}) or a "
            "name from `asyncsemrush prices list`",
            err=True,
        )
        return EXIT_INPUT
    for per, count, flag, what in (
        (price.per_line, lines, "--lines", "row"),
        (price.per_keyword, keywords, "--keywords", "keyword"),
        (price.per_snapshot, snapshots, "--snapshots", "snapshot"),
    ):
        if per and not count:
            click.echo(
                f"bad input: {report_type} costs {per:,} units a {what}: say how many "
                f"with {flag} N",
                err=True,
            )
            return EXIT_INPUT
    units = pricing.estimate(report_type, lines=lines, keywords=keywords, snapshots=snapshots)
    click.echo(f"{report_type}: {units:,} units ({money(units)})")
    return 0


#: The commands' names, as estimate takes them, and the report type each one sends.
COMMAND_REPORT_TYPES = {
    "positions": "tracking_position_organic",
    "competitors": "tracking_competitors_organic",
    "landing-pages": "tracking_landing_pages_organic",
    "visibility": "tracking_visibility_organic",
    "overview": "tracking_overview_organic",
    "campaigns": "tracking_campaigns_list",
    "dates": "tracking_campaign_dates",
    "locations": "location_search",
    "balance": "balance",
}


@command(cli, "sync")
@click.argument("campaign_id")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A DuckDB file to keep the tables in (needs the duckdb extra).",
)
@click.option(
    "--dataset",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A Parquet dataset directory instead (campaign=/kind=/date= partitions).",
)
@click.option("--url", "urls", multiple=True, help="A url mask (repeatable; up to 6).")
@click.option(
    "--kind", type=click.Choice(["organic", "adwords"]), default="organic", help="Report kind."
)
@click.option("--page-size", type=click.IntRange(1, 10_000), default=1000, help="Rows a request.")
def sync(
    s: Settings,
    campaign_id: str,
    db: Path | None,
    dataset: Path | None,
    urls: tuple[str, ...],
    kind: str,
    page_size: int,
) -> int:
    """Keep a campaign's positions in DuckDB or Parquet: pull only the dates missing.

    One date check (100 units), then one pull covering every missing date (100 units
    per keyword, whatever the range); each page committed with the pull's offset, so a
    killed sync resumes without gaps or duplicates.

    \b
    Examples:
      asyncsemrush sync 6647718_272401 --db positions.duckdb
      asyncsemrush sync 6647718_272401 --dataset warehouse/positions --yes"""
    if (db is None) == (dataset is None):
        click.echo("bad input: give one of --db FILE or --dataset DIR", err=True)
        return EXIT_INPUT
    needs = "duckdb" if db is not None else "pyarrow"
    try:
        __import__(needs)
        __import__("pyarrow")
    except ImportError:
        extra = "duckdb" if db is not None else "parquet"
        click.echo(f"error: --{'db' if db else 'dataset'} needs {needs}: pip install "
                   f"'asyncsemrush[{extra}]'", err=True)  # fmt: skip
        return EXIT_INPUT
    if db is not None and not db.parent.exists():
        click.echo(f"bad input: --db {db}: no directory {db.parent}", err=True)
        return EXIT_INPUT
    if s.dry_run:
        click.echo("a sync costs 100 units (the date check), plus 100 units per keyword "
                   "when dates are missing; `asyncsemrush plan` prices it", err=True)  # fmt: skip
        return 0

    async def work(x: Session) -> None:
        from ..sync import DuckDBStore, ParquetDataset, sync_positions

        store = DuckDBStore(db) if db is not None else ParquetDataset(dataset)  # type: ignore[arg-type]
        try:
            result = await sync_positions(
                x.client.tracking(campaign_id), store, url=list(urls) or None,
                kind=kind, page_size=page_size, before_pull=x.guard,
            )  # fmt: skip
        finally:
            store.close()
        x.rows = result.rows
        if s.quiet:
            return
        if not result.stored:
            say(f"up to date: {len(result.collected)} dates stored; {result.units:,} units "
                f"({money(result.units)}) for the date check")  # fmt: skip
            return
        first, last = result.stored[0], result.stored[-1]
        resumed = "" if result.resumed_from is None else f", resumed at row {result.resumed_from:,}"
        say(f"stored {len(result.stored)} dates ({first}..{last}) of {result.rows:,} keywords"
            f"{resumed}; {result.units:,} units ({money(result.units)})")  # fmt: skip

    return run(s, work)


@command(cli, "plan")
@click.argument("campaign_id")
@click.option("--url", "urls", multiple=True, help="A url mask (repeatable; up to 6).")
@click.option(
    "--kind", type=click.Choice(["organic", "adwords"]), default="organic", help="Report kind."
)
@click.option("--tag", "tags", multiple=True, help="Only keywords with this tag (repeatable).")
@click.option("--filter", "filters", multiple=True, help="A display filter (repeatable).")
@click.option(
    "--ledger",
    "ledger_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A SqliteLedger file: what the response cache would have saved on it.",
)
def plan(
    s: Settings,
    campaign_id: str,
    urls: tuple[str, ...],
    kind: str,
    tags: tuple[str, ...],
    filters: tuple[str, ...],
    ledger_file: Path | None,
) -> int:
    """What a pull costs now, a month of syncs at each cadence, what filters save.

    Spends one 1-row probe (100 units), two with --tag or --filter.

    \b
    Examples:
      asyncsemrush plan 6647718_272401
      asyncsemrush plan 6647718_272401 --tag brand --ledger spend.sqlite"""
    if ledger_file is not None and not _is_ledger(ledger_file):
        click.echo(f"error: {ledger_file} is not a ledger file", err=True)
        return EXIT_INPUT
    if s.dry_run:
        click.echo(f"worst case: {200 if tags or filters else 100} units (1-row probes); "
                   "nothing was sent", err=True)  # fmt: skip
        return 0

    async def work(x: Session) -> None:
        from ..stores.sqlite import SqliteLedger
        from ..sync import plan_sync

        entries = None
        if ledger_file is not None:
            saved = SqliteLedger(ledger_file)
            try:
                entries = saved.read()
            finally:
                saved.close()
        p = await plan_sync(
            x.client.tracking(campaign_id), url=list(urls) or None, kind=kind,
            tags=list(tags) or None, filters="|".join(filters) or None, ledger=entries,
        )  # fmt: skip
        rows: list[dict[str, Any]] = [
            {"what": "one pull now", "syncs": "", "units": p.pull_units,
             "dollars": money(p.pull_units)},
        ] + [
            {"what": f"{c.name} sync, 30 days", "syncs": c.syncs, "units": c.units,
             "dollars": money(c.units)}
            for c in p.cadences
        ]  # fmt: skip
        if p.filters_save is not None:
            rows.append({"what": f"filters: {p.filtered:,} of {p.keywords:,} keywords",
                         "syncs": "", "units": -p.filters_save,
                         "dollars": money(p.filters_save)})  # fmt: skip
        if p.cache_saved is not None:
            rows.append({"what": "the cache would have saved (ledger)", "syncs": "",
                         "units": -p.cache_saved, "dollars": money(p.cache_saved)})  # fmt: skip
        x.show(rows, title=f"plan for {p.campaign}: {p.keywords:,} keywords")
        if not s.quiet:
            say(f"this plan spent {p.probe_units:,} units (1-row probes)")

    return run(s, work)


@command(cli, "mcp")
@click.option(
    "--max-units-per-call",
    type=click.IntRange(min=0),
    default=None,
    help="Refuse a tool call whose worst case is above this (default: the budget alone).",
)
@click.option(
    "--allow-writes",
    is_flag=True,
    help="Serve the write tools (create, delete, add keywords, launch).",
)
@click.option(
    "--budget-store",
    default=None,
    metavar="sqlite:PATH|redis://…",
    help="Share --max-units with other agent processes through this store.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Where tools write output= files.",
)
@click.option(
    "--http",
    "http_port",
    type=int,
    default=None,
    metavar="PORT",
    help="Serve streamable HTTP on 127.0.0.1:PORT instead of stdio.",
)
def mcp(
    s: Settings,
    max_units_per_call: int | None,
    allow_writes: bool,
    budget_store: str | None,
    output_dir: Path,
    http_port: int | None,
) -> int:
    """Serve the library to AI agents over MCP (stdio): every tool priced before it runs.

    --max-units is required (the server's whole budget) unless --sandbox.

    \b
    Examples:
      asyncsemrush mcp --max-units 200000 --max-units-per-call 20000
      asyncsemrush --sandbox mcp --allow-writes"""
    try:
        from ..mcp_server import AgentPolicy, AgentTools, build_server
    except ImportError:
        click.echo("error: `mcp` needs the MCP SDK: pip install 'asyncsemrush[mcp]'", err=True)
        return EXIT_INPUT
    if s.max_units is None and not s.sandbox:
        click.echo("bad input: --max-units is required (what the agents may spend in all), "
                   "unless --sandbox", err=True)  # fmt: skip
        return EXIT_INPUT
    if budget_store is not None and not budget_store.startswith(
        ("sqlite:", "redis://", "rediss://")
    ):
        click.echo("bad input: --budget-store takes sqlite:PATH or redis://HOST…", err=True)
        return EXIT_INPUT
    if not output_dir.is_dir():
        click.echo(f"bad input: --output-dir {output_dir}: no such directory", err=True)
        return EXIT_INPUT
    s = attrs.evolve(s, budget_store=budget_store, quiet=True)
    policy = AgentPolicy(
        max_units_per_call=max_units_per_call, confirm_above=s.confirm_above,
        allow_writes=allow_writes, output_dir=output_dir.resolve(),
    )  # fmt: skip

    async def work(x: Session) -> None:
        server = build_server(AgentTools(x.client, policy))
        if http_port is None:
            await server.run_stdio_async()
        else:
            await server.run_streamable_http_async(host="127.0.0.1", port=http_port)

    return run(s, work)


@command(cli, "ledger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def ledger(s: Settings, file: Path) -> int:
    """Units spent by day and report type, from a SqliteLedger file (nothing is sent)."""
    from ..stores.sqlite import SqliteLedger
    from ._run import render_table, stdout_console

    if not _is_ledger(file):
        click.echo(f"error: {file} is not a ledger file (a SqliteLedger's SQLite file)", err=True)
        return EXIT_INPUT
    saved = SqliteLedger(file)
    try:
        rows = saved.spend()
    finally:
        saved.close()
    render_table(stdout_console(), rows, title=f"spend in {file.name}")
    total = sum(int(r["units"] or 0) for r in rows)
    click.echo(f"total: {total:,} units ({money(total)})", err=True)
    return 0


def _is_ledger(file: Path) -> bool:
    """Whether ``file`` is a SQLite file with a ledger table (read-only: a file that is
    not one is left as it was, not given the ledger's tables)."""
    import sqlite3

    try:
        with file.open("rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                return False
        conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'"
            ).fetchone()
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return False
    return found is not None


@cli.command("sandbox", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def sandbox(ctx: click.Context) -> None:
    """Serve the sandbox (options as `python -m asyncsemrush.sandbox --help`)."""
    root: Settings = ctx.find_root().obj
    if root.dry_run:  # serving is not a cost to preview
        click.echo("bad input: --dry-run means nothing to `sandbox` (it sends nothing)", err=True)
        ctx.exit(EXIT_INPUT)
    ctx.exit(run_sandbox(list(ctx.args)))


@command(cli, "demo")
@click.option("--keywords", type=int, default=20_000, help="Keywords in the demo campaign.")
@click.option("--days", type=int, default=30, help="Days of positions in the demo campaign.")
def demo(s: Settings, keywords: int, days: int) -> int:
    """Pull a realistic campaign from the embedded sandbox into positions.csv."""
    from ._demo import demo as run_demo

    return run_demo(s, keywords=keywords, days=days)


# The command groups of their own modules register on `cli` when imported.
from . import _prices  # noqa: E402, F401
