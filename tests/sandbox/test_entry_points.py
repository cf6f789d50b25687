"""The ways to start the sandbox: pytest fixtures, ``python -m``, and integration."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from asyncsemrush import SemrushClient, UnitBudget
from asyncsemrush._wire import ApiRequest
from asyncsemrush.pricing import Usage
from asyncsemrush.sandbox import Sandbox


@pytest.mark.semrush_sandbox(units=12_345, seed=2)
async def test_plugin_fixtures(semrush_sandbox: Sandbox, semrush_client: SemrushClient) -> None:
    assert semrush_sandbox.seed == 2
    assert await semrush_client.balance() == 12_345
    assert semrush_client.base_url == semrush_sandbox.base_url


def test_python_dash_m_serves_until_stopped() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "asyncsemrush.sandbox", "--port", "0", "--units", "777"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        query = urllib.parse.urlencode({"key": info["api_key"]})
        url = f"{info['base_url']}/users/countapiunits.html?{query}"
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.read() == b"777"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert info["base_url"].startswith("http://127.0.0.1:")


async def test_client_ledger_equals_what_the_sandbox_charged() -> None:
    async with Sandbox(keywords=250, units=30_000, rate_limit=10) as sb:
        budget = UnitBudget(1_000_000)
        async with SemrushClient(sb.api_key, base_url=sb.base_url, budget=budget) as sr:
            path = f"/reports/v1/projects/{sb.campaign_id}/tracking/"
            for offset in range(0, 300, 100):
                params = {
                    "action": "report",
                    "type": "tracking_position_organic",
                    "url": sb.tracked_url,
                    "display_limit": "100",
                    "display_offset": str(offset),
                }
                await sr._execute(
                    ApiRequest(
                        "GET",
                        path,
                        "tracking_position_organic",
                        params=params,
                        usage=Usage(lines=100),
                    )
                )
            await sr._execute(ApiRequest("GET", "/management/v1/projects", "project_list"))
            assert await sr.balance() == 30_000 - 25_100
        assert sr.ledger.spent == sb.units_charged == budget.spent == 25_100
        assert [e.lines for e in sr.ledger.entries[:3]] == [100, 100, 50]
