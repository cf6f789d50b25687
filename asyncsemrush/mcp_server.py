"""An MCP server for AI agents that cannot overspend: every tool priced before it runs.

``asyncsemrush mcp`` serves the library to an agent over stdio (or streamable HTTP).
Each paid tool's description states its unit price; a call is priced at its worst case
first and refused, with a structured answer an agent can act on (the price, what is
left, how to ask for less), when it does not fit the per-call cap or what the budget
has left; above ``confirm_above`` a human is asked (MCP elicitation) where the client
can ask, and the call is refused where it cannot. What runs then reserves against the
client's budget like any request, so the server never spends more than ``--max-units``.
Needs the ``mcp`` extra (the official MCP Python SDK).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypedDict

import attrs
import orjson
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from ._client import SemrushClient
from ._export import document
from ._redact import redact
from .errors import InvalidParameterError, SemrushError
from .pagination import AsyncPaginator
from .params import kind as kind_of
from .pricing import Price, Usage, dollars

#: Rows a paginated tool returns inline by default, and at most (more go to a file).
DEFAULT_ROWS, MAX_INLINE_ROWS = 20, 200
OUTPUT_SUFFIXES = (".csv", ".jsonl", ".parquet")

Result = dict[str, Any]
_NO_USAGE = Usage()


@attrs.frozen
class AgentPolicy:
    """What an agent may spend: ``max_units_per_call`` (None: the budget alone),
    ``confirm_above`` (units above which a human confirms), ``allow_writes`` (the write
    tools are served at all), ``output_dir`` (where ``output=`` files are written)."""

    max_units_per_call: int | None = None
    confirm_above: int = 100_000
    allow_writes: bool = False
    output_dir: Path = attrs.field(factory=Path.cwd)


class Refused(Exception):
    """A call not run: why, and what the agent can do instead."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.details = {"refused": True, "reason": reason, **details}


class AgentTools:
    """The tools, bound to one client and one policy (the server registers them)."""

    def __init__(self, client: SemrushClient, policy: AgentPolicy) -> None:
        self.client = client
        self.policy = policy

    # ------------------------------------------------------------------ pricing

    def price(self, report_type: str, usage: Usage = _NO_USAGE) -> int:
        return self.client.prices.cost(report_type, usage)

    def _worst(self, pager: AsyncPaginator[Any]) -> int:
        price: Price = self.client.prices[pager.report_type]
        rows = pager.max_rows or 0
        pages = math.ceil(rows / pager.page_size) if rows else 1
        return price.per_request * pages + (price.per_line or price.per_snapshot) * rows

    def _left(self) -> int | None:
        budget = self.client.budget
        return None if budget is None else budget.remaining

    async def check(
        self,
        price: int,
        confirm: Callable[[str], Awaitable[bool]],
        *,
        per_row: int = 0,
        fixed: int = 0,
    ) -> None:
        """Refuse a call of worst case ``price`` that does not fit, or that a human
        did not confirm; ``per_row``/``fixed`` tell how many rows would fit."""
        cap = self.policy.max_units_per_call
        budget = self.client.budget
        refresh = getattr(budget.store, "refresh", None) if budget is not None else None
        if refresh is not None:  # a shared store: what the other agents left, now
            await refresh()
        left = self._left()
        room = min(x for x in (cap, left, 1 << 62) if x is not None)

        def fewer() -> dict[str, Any]:
            if not per_row:
                return {}
            rows = max((room - fixed) // per_row, 0)
            return {
                "max_rows_that_fit": rows,
                "ask_for_less": f"max_rows={rows}, or narrow it with tags or filters",
            }

        where = {"price": price, "left": left, "max_units_per_call": cap}
        if cap is not None and price > cap:
            raise Refused(
                f"the worst case, {price:,} units, is above the per-call cap", **where, **fewer()
            )
        if left is not None and price > left:
            raise Refused(
                f"the worst case, {price:,} units, is more than the budget has left",
                **where,
                **fewer(),
            )
        if price > self.policy.confirm_above:
            question = (
                f"An agent asks to spend up to {price:,} Semrush API units "
                f"(${dollars(price)}). Allow it?"
            )
            if not await confirm(question):
                raise Refused(
                    f"the worst case, {price:,} units, is above {self.policy.confirm_above:,} "
                    "and a human did not confirm it (or this client cannot ask)",
                    **where,
                    **fewer(),
                )

    async def priced(
        self,
        price: int,
        confirm: Callable[[str], Awaitable[bool]],
        run: Callable[[], Awaitable[Result]],
        **sizes: int,
    ) -> Result:
        """Check ``price``, run, and say what the call cost and what is left."""
        await self.check(price, confirm, **sizes)
        before, cached_before = self.client.ledger.spent, self.client.ledger.cached
        result = await run()
        result["units"] = self.client.ledger.spent - before
        result["cached_answers"] = self.client.ledger.cached - cached_before
        result["left"] = self._left()
        return result

    async def page(
        self,
        pager: AsyncPaginator[Any],
        confirm: Callable[[str], Awaitable[bool]],
        output: str | None,
    ) -> Result:
        """A paginated tool: ``max_rows`` compact rows inline, or a file for more."""
        price: Price = self.client.prices[pager.report_type]
        per_row = price.per_line or price.per_snapshot
        target = self._output(output)
        rows = pager.max_rows or 0
        if target is None and rows > MAX_INLINE_ROWS:
            raise Refused(
                f"max_rows={rows} is more than {MAX_INLINE_ROWS} rows inline",
                ask_for_less=f"max_rows<={MAX_INLINE_ROWS}, or output='rows.csv' "
                "to write them to a file",
            )
        worst = self._worst(pager)
        pager.max_units = worst  # the pull itself never reserves past its price

        async def run() -> Result:
            if target is not None:
                write = {
                    ".csv": pager.to_csv,
                    ".jsonl": pager.to_jsonl,
                    ".parquet": pager.to_parquet,
                }[target.suffix]
                await write(target)
                got: Result = {"file": str(target), "rows_written": pager.rows_delivered}
            else:
                rows: list[Result] = []
                total = None
                async for page in pager.pages():
                    total = page.total
                    rows.extend(_compact(document(r)) for r in page.rows)
                got = {"rows": rows, "total": total}
            got["next_offset"] = pager.resume_offset  # None: nothing after these rows
            return got

        return await self.priced(worst, confirm, run, per_row=per_row, fixed=price.per_request)

    def _output(self, output: str | None) -> Path | None:
        if output is None:
            return None
        name = Path(output)
        if name.name != output or name.suffix not in OUTPUT_SUFFIXES:
            raise InvalidParameterError(
                "output",
                output,
                f"a file name (no directory) ending {', '.join(OUTPUT_SUFFIXES)}; it is "
                f"written in the server's output directory",
            )
        return self.policy.output_dir / name


def _compact(record: Result) -> Result:
    """A row without empty values, dates as ISO text: small in a model's context."""
    out: Result = {}
    for key, value in record.items():
        value = _plain(value)
        if value in (None, "", [], {}):
            continue
        out[key] = value
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if attrs.has(type(value)):
        return _plain(attrs.asdict(value, recurse=False))
    return value


def error_result(exc: BaseException) -> Result:
    """A library error as a structured tool error: its class and message (the key is
    never in either), and what it says about resuming."""
    out: Result = {"error": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, Refused):
        return exc.details
    for name in ("resume_offset", "rows_delivered", "code", "status"):
        value = getattr(exc, name, None)
        if value is not None:
            out[name] = value
    return out


# ---------------------------------------------------------------------- the server


class Confirm(BaseModel):
    """What the human is asked: allow this spend?"""

    confirm: bool


def _confirmer(ctx: Context) -> Callable[[str], Awaitable[bool]]:
    async def confirm(question: str) -> bool:
        caps = ctx.client_capabilities
        if caps is None or getattr(caps, "elicitation", None) is None:
            return False  # this client cannot ask a human: refused
        answer = await ctx.elicit(question, Confirm)
        return bool(answer.action == "accept" and answer.data is not None and answer.data.confirm)

    return confirm


def _result(data: Result, *, error: bool = False) -> CallToolResult:
    text = orjson.dumps(data, default=str).decode()
    return CallToolResult(
        content=[TextContent(type="text", text=redact(text))],
        structured_content=orjson.loads(redact(text)),
        is_error=error,
    )


def build_server(tools: AgentTools, *, name: str = "asyncsemrush") -> MCPServer:
    """The MCP server of ``tools`` (its client must stay open while it serves)."""
    server = MCPServer(name, instructions=INSTRUCTIONS)
    sr, price = tools.client, tools.price
    writes = tools.policy.allow_writes

    def add(fn: Callable[..., Awaitable[Result]], description: str) -> None:
        """Serve ``fn``: its answer as a tool result, its failure as a structured tool
        error (never a traceback)."""

        @functools.wraps(fn)
        async def tool(*args: Any, **kwargs: Any) -> CallToolResult:
            try:
                return _result(await fn(*args, **kwargs))
            except (Refused, SemrushError) as exc:
                return _result(error_result(exc), error=True)

        tool.__annotations__ = {**fn.__annotations__, "return": "CallToolResult"}
        server.add_tool(tool, name=fn.__name__, description=description)

    # ----------------------------------------------------------- free
    async def estimate(
        report_type: str, lines: int = 0, keywords: int = 0, snapshots: int = 0
    ) -> Result:
        units = price(report_type, Usage(lines=lines, keywords=keywords, snapshots=snapshots))
        return {"report_type": report_type, "worst_case": units, "dollars": str(dollars(units))}

    async def balance() -> Result:
        return {"balance": await sr.balance(), "units": 0}

    async def spend() -> Result:
        t = sr.ledger.totals
        return {
            "spent": t.spent,
            "dollars": str(t.dollars),
            "requests": t.requests,
            "uncertain": t.uncertain,
            "cached_answers": t.cached,
            "saved": t.saved,
            "left": tools._left(),
            "max_units_per_call": tools.policy.max_units_per_call,
            "confirm_above": tools.policy.confirm_above,
        }

    add(
        estimate,
        "The worst-case units of a request (free): report_type as in the price "
        "table (tracking_position_organic, ...), with lines/keywords/snapshots.",
    )
    add(balance, "The account's API units balance (free).")
    add(spend, "Units this server spent so far, what is left of its budget, its caps (free).")

    # ----------------------------------------------------------- one request each
    async def one(
        report_type: str, call: Callable[[], Awaitable[Any]], ctx: Context, usage: Usage = _NO_USAGE
    ) -> Result:
        async def run() -> Result:
            return {"result": _plain(await call())}

        return await tools.priced(price(report_type, usage), _confirmer(ctx), run)

    async def projects_list(ctx: Context) -> Result:
        return await one("project_list", sr.projects.list, ctx)

    async def campaigns(project_id: str, ctx: Context) -> Result:
        return await one("tracking_campaigns_list", sr.tracking(project_id).campaigns, ctx)

    async def campaign_dates(campaign_id: str, ctx: Context) -> Result:
        return await one("tracking_campaign_dates", sr.tracking(campaign_id).campaign_dates, ctx)

    async def visibility(
        campaign_id: str,
        ctx: Context,
        kind: str = "organic",
        date_begin: str | None = None,
        date_end: str | None = None,
    ) -> Result:
        k = kind_of(kind)
        tracking = sr.tracking(campaign_id)
        return await one(
            f"tracking_visibility_{k}",
            lambda: tracking.visibility(kind=k, date_begin=date_begin, date_end=date_end),
            ctx,
        )

    async def overview(
        campaign_id: str, ctx: Context, url: str | None = None, kind: str = "organic"
    ) -> Result:
        k = kind_of(kind)
        tracking = sr.tracking(campaign_id)
        return await one(f"tracking_overview_{k}", lambda: tracking.overview(url, kind=k), ctx)

    async def audit_info(project_id: str, ctx: Context) -> Result:
        return await one("siteaudit_campaign_info", sr.site_audit(project_id).info, ctx)

    async def audit_snapshots(project_id: str, ctx: Context) -> Result:
        return await one("siteaudit_snapshot_list", sr.site_audit(project_id).snapshots, ctx)

    async def locations(
        ctx: Context, name: str | None = None, country_code: str | None = None
    ) -> Result:
        search = sr.geo.locations
        return await one("location_search", lambda: search(name, country_code=country_code), ctx)

    single: tuple[tuple[Callable[..., Awaitable[Result]], str], ...] = (
        (projects_list, "Your projects."),
        (campaigns, "A project's Position Tracking campaigns."),
        (campaign_dates, "The dates a campaign was collected on."),
        (visibility, "A campaign's visibility per date."),
        (overview, "A domain's rankings overview in a campaign."),
        (audit_info, "A project's Site Audit state."),
        (audit_snapshots, "A project's Site Audit snapshots."),
        (locations, "Search locations by name or country code (a campaign's location)."),
    )
    for fn, text in single:
        add(fn, f"{text} {price(REQUEST_REPORTS[fn.__name__])} units.")

    # ----------------------------------------------------------- paginated
    def paging(max_rows: int, start_offset: int, page_size: int = 1000) -> Paging:
        """The pull's size: ``max_rows`` rows from ``start_offset``, as few pages as can be."""
        if not isinstance(max_rows, int) or isinstance(max_rows, bool) or max_rows < 1:
            raise InvalidParameterError("max_rows", max_rows, "a whole number >= 1")
        size = min(max_rows, page_size)
        return Paging(page_size=size, max_rows=max_rows, start_offset=start_offset)

    async def positions(
        campaign_id: str,
        ctx: Context,
        url: list[str] | None = None,
        kind: str = "organic",
        date_begin: str | None = None,
        date_end: str | None = None,
        tags: list[str] | None = None,
        max_rows: int = DEFAULT_ROWS,
        start_offset: int = 0,
        output: str | None = None,
    ) -> Result:
        pager = sr.tracking(campaign_id).positions(
            url or None, kind=kind_of(kind), date_begin=date_begin, date_end=date_end,
            tags=tags or None, **paging(max_rows, start_offset),
        )  # fmt: skip
        return await tools.page(pager, _confirmer(ctx), output)

    async def competitors(
        campaign_id: str,
        ctx: Context,
        kind: str = "organic",
        date_begin: str | None = None,
        date_end: str | None = None,
        max_rows: int = DEFAULT_ROWS,
        start_offset: int = 0,
        output: str | None = None,
    ) -> Result:
        pager = sr.tracking(campaign_id).competitors(
            kind=kind_of(kind), date_begin=date_begin, date_end=date_end,
            **paging(max_rows, start_offset),
        )  # fmt: skip
        return await tools.page(pager, _confirmer(ctx), output)

    async def landing_pages(
        campaign_id: str,
        url: str,
        ctx: Context,
        kind: str = "organic",
        max_rows: int = DEFAULT_ROWS,
        start_offset: int = 0,
        output: str | None = None,
    ) -> Result:
        pager = sr.tracking(campaign_id).landing_pages(
            url, kind=kind_of(kind), **paging(max_rows, start_offset)
        )
        return await tools.page(pager, _confirmer(ctx), output)

    async def audit_issues(
        project_id: str,
        snapshot_id: str,
        issue_id: int,
        ctx: Context,
        max_rows: int = DEFAULT_ROWS,
        start_offset: int = 0,
        output: str | None = None,
    ) -> Result:
        pager = sr.site_audit(project_id).issue(
            snapshot_id, issue_id, **paging(max_rows, start_offset, page_size=100)
        )
        return await tools.page(pager, _confirmer(ctx), output)

    per = tools.client.prices
    paged = (
        "max_rows rows (default 20, at most 200 inline; output='name.csv|.jsonl|"
        ".parquet' writes more to a file); start_offset resumes at next_offset."
    )
    pulls: tuple[tuple[Callable[..., Awaitable[Result]], str, str], ...] = (
        (positions, "Keyword positions of up to 6 url masks per date.",
         "tracking_position_organic"),
        (competitors, "A campaign's competitors discovery.", "tracking_competitors_organic"),
        (landing_pages, "A domain's landing pages in a campaign (url: a domain name, "
         "example.com).", "tracking_landing_pages_organic"),
    )  # fmt: skip
    for pull, text, report in pulls:
        add(pull, f"{text} {per[report].per_line} units per row: {paged}")
    add(
        audit_issues,
        f"Pages affected by one Site Audit issue of a snapshot. "
        f"{per['siteaudit_snapshot_issue'].per_request} units per page of up to 100 rows: "
        f"{paged}",
    )

    if not writes:
        return server

    # ----------------------------------------------------------- writes (--allow-writes)
    async def project_create(name: str, url: str, ctx: Context) -> Result:
        return await one("project_create", lambda: sr.projects.create(name, url), ctx)

    async def project_delete(project_id: str, ctx: Context) -> Result:
        return await one("project_delete", lambda: sr.projects.delete(project_id), ctx)

    async def keywords_add(campaign_id: str, keywords: list[str], ctx: Context) -> Result:
        tracking = sr.tracking(campaign_id)
        usage = Usage(keywords=len(keywords))
        return await one(
            "project_add_keywords", lambda: tracking.add_keywords(keywords), ctx, usage
        )

    async def audit_launch(project_id: str, ctx: Context) -> Result:
        return await one("siteaudit_launch", sr.site_audit(project_id).launch, ctx)

    add(project_create, f"Create a project. {price('project_create')} units.")
    add(project_delete, f"Delete a project, for good. {price('project_delete')} units.")
    add(
        keywords_add,
        f"Track keywords in a campaign. {per['project_add_keywords'].per_keyword} units per "
        "keyword added.",
    )
    add(audit_launch, f"Start a Site Audit crawl. {price('siteaudit_launch')} units.")
    return server


#: The report type each one-request tool sends (its description states that price).
REQUEST_REPORTS = {
    "projects_list": "project_list",
    "campaigns": "tracking_campaigns_list",
    "campaign_dates": "tracking_campaign_dates",
    "visibility": "tracking_visibility_organic",
    "overview": "tracking_overview_organic",
    "audit_info": "siteaudit_campaign_info",
    "audit_snapshots": "siteaudit_snapshot_list",
    "locations": "location_search",
}


class Paging(TypedDict):
    """A paginated tool's pull size."""

    page_size: int
    max_rows: int
    start_offset: int


INSTRUCTIONS = """\
Semrush Projects API (Position Tracking, Site Audit) through asyncsemrush. Every paid
tool states its price in units (20,000 units = $1). A call is priced at its worst case
before it runs: one that does not fit this server's budget or per-call cap is refused
with the price, what is left and how many rows would fit (call again with fewer rows,
tags or filters). Paginated tools return max_rows compact rows (default 20), the total
and next_offset. estimate, balance and spend are free.
"""
