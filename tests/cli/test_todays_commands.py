"""The command against both editions of the service, and `prices check` against an
account whose price changed (a sandbox served from a thread, over HTTP)."""

from __future__ import annotations

import csv
import io

import pytest

from asyncsemrush.pricing import Price, PriceTable
from asyncsemrush.sandbox import Sandbox

from .test_commands import CAMPAIGN, COLUMNS, MASK, PROJECT, invoke


def test_prices_check_finds_a_changed_price(served: Sandbox) -> None:
    served.server.prices = PriceTable().with_prices(tracking_position_organic=Price(per_line=150))
    args = ["--base-url", served.base_url, "--api-key", served.api_key, "prices", "check"]
    code, out, err = invoke(
        *args,
        "project_list",
        "tracking_position_organic",
        "--campaign",
        CAMPAIGN,
        "--yes",
        "--format",
        "csv",
    )
    rows = {r["report_type"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["project_list"]["verdict"] == "ok"
    assert (
        rows["tracking_position_organic"]["table_units"],
        rows["tracking_position_organic"]["charged_units"],
    ) == ("100", "150")
    assert rows["tracking_position_organic"]["verdict"] == "PRICE DIFFERS"
    assert "the table says 100 units for 1 row(s), the account was charged 150" in " ".join(
        err.split()
    )
    assert code == 1
    assert served.units_charged == 250  # one small request of each, nothing more


def test_prices_check_asks_first_and_refuses_unknown_types() -> None:
    code, _, err = invoke("--sandbox", "prices", "check", "project_create")
    assert code == 2 and "cannot measure project_create" in err
    code, out, err = invoke("--sandbox", "prices", "check", "project_list")  # no terminal
    assert code == 2 and "add --yes" in err
    code, out, _ = invoke("--sandbox", "--dry-run", "prices", "check", "project_list")
    assert code == 0 and "worst case: 100 units" in out
    code, out, _ = invoke("prices", "list")
    assert code == 0 and "tracking_landing_pages_organic: 1,000 per row" in out


@pytest.mark.parametrize("edition", ["today", "2015"])
def test_positions_csv_is_typed_and_complete_in_both_editions(
    edition: str, tmp_path: object
) -> None:
    code, out, err = invoke(
        "--sandbox", "--sandbox-edition", edition, "positions", CAMPAIGN, "--url", MASK,
        "--max-rows", "40", "--format", "csv", "-q",
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == COLUMNS and len(rows) == 40 * 7  # 40 keywords × 7 days
    assert all(r["position"] == "" or 1 <= int(r["position"]) <= 100 for r in rows)
    assert {r["ranking_type"] for r in rows} <= {"org", "geo"}
    assert all(float(r["cpc"]) >= 0 for r in rows if r["cpc"])


@pytest.mark.parametrize("edition", ["today", "2015"])
def test_every_read_command_runs_in_both_editions(edition: str) -> None:
    base = ["--sandbox", "--sandbox-edition", edition, "-q", "--format", "csv"]
    for args in (
        ["projects", "list"],
        ["campaigns", PROJECT],
        ["overview", CAMPAIGN, "--url", MASK],
        ["visibility", CAMPAIGN, "--url", MASK],
        ["competitors", CAMPAIGN, "--max-rows", "3"],
        ["audit", "info", "6655637"],
        ["audit", "pages", "6655637", "--url", "page-1", "--limit", "2"],
    ):
        code, out, err = invoke(*base, *args)
        assert code == 0, (args, err)
        assert "(" not in out.splitlines()[1] or "http" in out  # no Python reprs in cells
    if edition == "today":
        for args in (["locations", "united"], ["overview", CAMPAIGN, "--kind", "adwords"],
                     ["landing-pages", CAMPAIGN, "--url", "example.com", "--max-rows", "2"]):  # fmt: skip
            code, out, err = invoke(*base, *args)
            assert code == 0 and out.count("\n") >= 2, (args, err)


@pytest.mark.parametrize("where", ["before", "after"])
def test_an_explicit_api_key_beats_the_environment(served: Sandbox, where: str) -> None:
    """--api-key before the command lost to SEMRUSH_API_KEY: the environment's account
    was billed (issue 16). The flag wins wherever it stands."""
    env = {"SEMRUSH_API_KEY": "0" * 32}  # another account's key: the sandbox refuses it
    flag = ["--api-key", served.api_key]
    base = ["--base-url", served.base_url]
    args = [*flag, *base, "balance"] if where == "before" else [*base, "balance", *flag]
    code, out, err = invoke(*args, env=env)
    assert code == 0, err
    assert f"{served.balance:,} units" in out
    code, _, err = invoke(*base, "balance", env={"SEMRUSH_API_KEY": served.api_key})
    assert code == 0, err  # the environment still serves when no flag is given
