"""`asyncsemrush mcp` as an agent meets it (issue 18): the server started as a subprocess,
spoken to with the MCP SDK's own client over stdio, against the sandbox over HTTP.
Every byte both ways is kept (``tee``) to show the key is in none of them."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from asyncsemrush.sandbox import Sandbox

from .._redis import RedisServer

pytest.importorskip("mcp")

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

PAID_READS = {
    "projects_list", "campaigns", "campaign_dates", "positions", "competitors",
    "landing_pages", "visibility", "overview", "audit_info", "audit_snapshots",
    "audit_issues", "locations",
}  # fmt: skip
FREE = {"estimate", "balance", "spend"}
WRITES = {"project_create", "project_delete", "keywords_add", "audit_launch"}


class Agent:
    def __init__(self, session: ClientSession, log: Path) -> None:
        self.session, self.log = session, log

    async def call(self, tool: str, **arguments: Any) -> tuple[bool, dict[str, Any]]:
        result = await self.session.call_tool(tool, arguments)
        data = result.structured_content
        if data is None:  # (an unknown tool: the SDK's own text error)
            data = {"message": " ".join(getattr(c, "text", "") for c in result.content)}
        return bool(result.is_error), data


@contextlib.asynccontextmanager
async def agent(
    sb: Sandbox, tmp_path: Path, *options: str, elicit: Any = None, name: str = "a"
) -> AsyncIterator[Agent]:
    log = tmp_path / f"{name}.wire"
    server = [sys.executable, "-m", "asyncsemrush", "--base-url", sb.base_url,
              "--rate-limit", "100", "mcp", *options]  # fmt: skip
    line = f"tee -a {log} | {shlex.join(server)} | tee -a {log}"
    params = StdioServerParameters(
        command="sh",
        args=["-c", line],
        env={**os.environ, "SEMRUSH_API_KEY": sb.api_key},
        cwd=str(tmp_path),
    )
    with open(tmp_path / f"{name}.stderr", "w") as errlog:  # noqa: ASYNC230
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write, elicitation_callback=elicit) as session,
        ):
            await session.initialize()
            yield Agent(session, log)


def no_key_in(sb: Sandbox, *files: Path) -> None:
    for f in files:
        text = f.read_text(errors="replace")
        assert text and sb.api_key not in text and sb.api_key.upper() not in text, f


async def test_tools_are_listed_with_their_prices_and_each_one_answers(
    served: Sandbox, tmp_path: Path
) -> None:
    async with agent(served, tmp_path, "--max-units", "2000000") as a:
        tools = {t.name: t for t in (await a.session.list_tools()).tools}
        assert set(tools) == PAID_READS | FREE  # no write tool without --allow-writes
        for name in PAID_READS:
            assert "units" in (tools[name].description or ""), name
        assert "100 units per row" in (tools["positions"].description or "")
        cid, pid, aid = served.campaign_id, str(served.project_id), str(served.audit_project_id)
        ok = {}
        for name, args in [
            ("projects_list", {}), ("campaigns", {"project_id": pid}),
            ("campaign_dates", {"campaign_id": cid}),
            ("positions", {"campaign_id": cid, "max_rows": 5}),
            ("competitors", {"campaign_id": cid, "max_rows": 2}),
            ("landing_pages", {"campaign_id": cid, "url": "example.com", "max_rows": 2}),
            ("visibility", {"campaign_id": cid}), ("overview", {"campaign_id": cid}),
            ("audit_info", {"project_id": aid}), ("audit_snapshots", {"project_id": aid}),
            ("locations", {"name": "New York"}),
            ("estimate", {"report_type": "tracking_position_organic", "lines": 1000}),
            ("balance", {}), ("spend", {}),
        ]:  # fmt: skip
            error, data = await a.call(name, **args)
            assert not error, (name, data)
            ok[name] = data
        positions = ok["positions"]
        assert len(positions["rows"]) == 5 and positions["total"] == 300
        assert positions["next_offset"] == 5 and positions["units"] == 500
        assert positions["rows"][0]["keyword"] and positions["rows"][0]["positions"]
        assert ok["estimate"]["worst_case"] == 100_000 and ok["balance"]["units"] == 0
        snapshot = ok["audit_snapshots"]["result"][0]["snapshot_id"]
        error, issues = await a.call("audit_issues", project_id=aid, snapshot_id=snapshot,
                                     issue_id=1, max_rows=3)  # fmt: skip
        assert not error and len(issues["rows"]) <= 3
        spent = ok["spend"]["spent"]
        assert spent == sum(d.get("units", 0) for n, d in ok.items() if n != "spend")
        error, more = await a.call("positions", campaign_id=cid, max_rows=5, start_offset=5)
        assert not error and more["rows"][0] != positions["rows"][0]
        error, written = await a.call("positions", campaign_id=cid, max_rows=300,
                                      output="all.csv")  # fmt: skip
        assert not error and written["rows_written"] == 300 and written["next_offset"] is None
        assert (tmp_path / "all.csv").read_text().count("\n") > 300
    no_key_in(served, a.log, tmp_path / "all.csv")


async def test_a_call_that_does_not_fit_is_refused_with_its_price(
    served: Sandbox, tmp_path: Path
) -> None:
    cid = served.campaign_id
    before = served.units_charged
    async with agent(served, tmp_path, "--max-units", "30000",
                     "--max-units-per-call", "15000") as a:  # fmt: skip
        error, data = await a.call("positions", campaign_id=cid, max_rows=200)
        assert error and data["refused"] and data["price"] == 20_000
        assert data["max_units_per_call"] == 15_000 and data["max_rows_that_fit"] == 150
        assert served.units_charged == before  # nothing was sent
        for _ in range(2):
            error, data = await a.call("positions", campaign_id=cid, max_rows=140)
            assert not error and data["units"] == 14_000
        error, data = await a.call("positions", campaign_id=cid, max_rows=140)
        assert error and data["refused"] and data["left"] == 2_000
        assert data["max_rows_that_fit"] == 20 and "max_rows=20" in data["ask_for_less"]
        error, data = await a.call("positions", campaign_id=cid, max_rows=20)  # corrected
        assert not error and data["left"] == 0
        error, data = await a.call("campaign_dates", campaign_id=cid)
        assert error and data["refused"]
        error, data = await a.call("positions", campaign_id=cid, max_rows=500)
        assert error and "inline" in data["reason"]
    assert served.units_charged - before == 30_000  # never more than --max-units
    no_key_in(served, a.log)


async def test_write_tools_only_with_allow_writes(served: Sandbox, tmp_path: Path) -> None:
    async with agent(served, tmp_path, "--max-units", "100000", name="ro") as a:
        error, data = await a.call("project_create", name="x", url="x.com")
        assert error and "project_create" in data["message"]
    assert "project_create" not in {r.report_type for r in served.requests}
    async with agent(served, tmp_path, "--max-units", "100000", "--allow-writes") as a:
        assert {t.name for t in (await a.session.list_tools()).tools} >= WRITES
        error, data = await a.call("project_create", name="agent made", url="agent.example")
        assert not error, data
        assert data["result"]["project_name"] == "agent made"
        error, data = await a.call("project_delete", project_id=str(data["result"]["project_id"]))
        assert not error


async def test_above_the_threshold_a_human_confirms_where_the_client_can_ask(
    served: Sandbox, tmp_path: Path
) -> None:
    from mcp_types import ElicitResult

    asked: list[str] = []

    def answering(yes: bool) -> Any:
        async def elicit(ctx: Any, params: Any) -> Any:
            asked.append(params.message)
            return ElicitResult(action="accept", content={"confirm": yes})

        return elicit

    cid = served.campaign_id
    options = ("--max-units", "1000000", "--confirm-above", "5000")
    async with agent(served, tmp_path, *options, elicit=answering(True)) as a:
        error, data = await a.call("positions", campaign_id=cid, max_rows=100)
        assert not error and data["units"] == 10_000
        error, data = await a.call("positions", campaign_id=cid, max_rows=40)
        assert not error  # below the threshold: not asked
    assert len(asked) == 1 and "10,000" in asked[0]
    async with agent(served, tmp_path, *options, elicit=answering(False), name="no") as a:
        error, data = await a.call("positions", campaign_id=cid, max_rows=100)
        assert error and data["refused"] and "confirm" in data["reason"]
    async with agent(served, tmp_path, *options, name="cannot") as a:  # no elicitation
        error, data = await a.call("positions", campaign_id=cid, max_rows=100)
        assert error and data["refused"] and data["max_rows_that_fit"] > 0


async def test_two_agent_processes_share_one_sqlite_budget(served: Sandbox, tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path / 'budget.sqlite'}"
    options = ("--max-units", "25000", "--budget-store", store)
    before = served.units_charged
    cid = served.campaign_id
    async with (
        agent(served, tmp_path, *options, name="one") as one,
        agent(served, tmp_path, *options, name="two") as two,
    ):
        outcomes = []
        for a in (one, two, one, two):
            error, data = await a.call("positions", campaign_id=cid, max_rows=100)
            outcomes.append((error, data))
        assert [e for e, _ in outcomes] == [False, False, True, True], outcomes[2:]
        assert outcomes[2][1].get("left") == 5_000, outcomes[2][1]
        assert outcomes[3][1].get("left") == 5_000, outcomes[3][1]
        error, spend = await two.call("spend")
        assert spend["left"] == 5_000 and spend["spent"] == 10_000  # its own, of the shared
    assert served.units_charged - before == 20_000
    no_key_in(served, one.log, two.log)
    for name in ("one", "two"):  # what the servers logged
        assert served.api_key not in (tmp_path / f"{name}.stderr").read_text()


def test_bad_setups_are_refused_before_serving(served: Sandbox, tmp_path: Path) -> None:
    import subprocess

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "SEMRUSH_API_KEY": served.api_key}
        return subprocess.run([sys.executable, "-m", "asyncsemrush", "--base-url",
                               served.base_url, "mcp", *args], env=env, text=True,
                              capture_output=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip

    missing = run()
    assert missing.returncode == 2 and "--max-units is required" in missing.stderr
    bad_store = run("--max-units", "10", "--budget-store", "postgres://x")
    assert bad_store.returncode == 2 and "--budget-store" in bad_store.stderr
    assert json.dumps(served.api_key) not in missing.stderr + bad_store.stderr


async def test_the_readmes_configuration_snippet_starts_the_server(
    served: Sandbox, tmp_path: Path
) -> None:
    """Tried as a new user would: the README's client configuration, as written, starts
    a server the SDK's client talks to (pointed at the sandbox with --base-url)."""
    import re
    import shutil

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()  # noqa: ASYNC240
    at = readme.index("## For AI agents (MCP)")
    block = re.search(r"```json\n(.*?)```", readme[at:], re.S)
    assert block is not None
    config = json.loads(block.group(1))["mcpServers"]["semrush"]
    command = shutil.which(config["command"])
    prefix = [command] if command else [sys.executable, "-m", "asyncsemrush"]
    params = StdioServerParameters(
        command=prefix[0],
        args=[*prefix[1:], *config["args"], "--base-url", served.base_url],
        env={**os.environ, **config["env"], "SEMRUSH_API_KEY": served.api_key},
        cwd=str(tmp_path),
    )
    async with (
        stdio_client(params) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        result = await session.call_tool("spend", {})
        assert not result.is_error and result.structured_content is not None
        assert result.structured_content["left"] == 200_000
        assert result.structured_content["max_units_per_call"] == 20_000


async def test_cached_answers_cost_nothing_and_say_so(served: Sandbox, tmp_path: Path) -> None:
    cache = tmp_path / "reports.sqlite"
    async with agent(served, tmp_path, "--max-units", "100000", "--cache", str(cache)) as a:
        error, first = await a.call("positions", campaign_id=served.campaign_id, max_rows=50)
        assert not error and first["cached_answers"] == 0
        assert first["units"] == 5_000  # (a capped pull makes no date check: README)
        error, second = await a.call("positions", campaign_id=served.campaign_id, max_rows=50)
        assert not error and second["rows"] == first["rows"]
        assert second["units"] == 0 and second["cached_answers"] == 1
    no_key_in(served, a.log)
    assert served.api_key not in (tmp_path / "a.stderr").read_text()


async def test_two_agent_processes_share_one_redis_budget(
    served: Sandbox, tmp_path: Path, redis_server: RedisServer
) -> None:
    pytest.importorskip("redis")
    options = ("--max-units", "15000", "--budget-store", redis_server.url)
    before, cid = served.units_charged, served.campaign_id
    async with (
        agent(served, tmp_path, *options, name="r1") as one,
        agent(served, tmp_path, *options, name="r2") as two,
    ):
        first = await one.call("positions", campaign_id=cid, max_rows=100)
        second = await two.call("positions", campaign_id=cid, max_rows=100)
        assert not first[0] and second[0] and second[1]["left"] == 5_000
    assert served.units_charged - before == 10_000
