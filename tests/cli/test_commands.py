"""Every command with click's runner against the in-process sandbox (--sandbox)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from asyncsemrush.cli._app import cli

CAMPAIGN, PROJECT, AUDIT = "6647718_272401", "6647718", "6655637"  # the sandbox's IDs
#: The documented CSV layout of positions (README), spelled out so a change is noticed.
COLUMNS = [
    "keyword_id",
    "keyword",
    "tags",
    "cpc",
    "volume",
    "domain",
    "date",
    "position",
    "ranking_type",
    "landing_url",
]
MASK = "*.example.com/*"


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(
        cli, list(args), obj={"argv": list(args)}, env=env or {"SEMRUSH_API_KEY": ""}
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def sandboxes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The sandboxes the commands start, to see what reached them."""
    import asyncsemrush.sandbox as sandbox_module

    made: list[Any] = []
    real = sandbox_module.Sandbox

    def spy(**options: Any) -> Any:
        made.append(sb := real(**options))
        return sb

    monkeypatch.setattr(sandbox_module, "Sandbox", spy)
    return made


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["projects", "list"], "example.com"),
        (["projects", "get", PROJECT], "demo"),
        (["projects", "create", "shop", "shop.com", "--keyword", "red shoes"], "shop.com"),
        (["projects", "delete", PROJECT, "--yes"], ""),
        (["campaigns", PROJECT], CAMPAIGN),
        (["dates", CAMPAIGN], "2026-01-31"),
        (["overview", CAMPAIGN, "--url", MASK], "top10"),
        (["visibility", CAMPAIGN, "--url", MASK, "--kind", "adwords"], "relative_visibility"),
        (["competitors", CAMPAIGN, "--max-rows", "5"], "visibility_change"),
        (["positions", CAMPAIGN, "--url", MASK, "--max-rows", "3"], "keyword_id"),
        (["audit", "info", AUDIT], "FINISHED"),
        (["audit", "snapshots", AUDIT], "snapshot_id"),
        (["audit", "issues", AUDIT], "checks"),
        (["audit", "issues", AUDIT, "--issue", "1", "--max-rows", "3"], "source_url"),
        (["audit", "pages", AUDIT, "--url-contains", "page-1", "--limit", "2"], "page_id"),
        (["audit", "history", AUDIT, "--max-rows", "2"], "quality"),
        (["audit", "launch", AUDIT], "snapshot_id"),
        (["geo", "countries"], "United States"),
        (["geo", "regions", "2840"], "Alabama"),
        (["geo", "cities", "2840", "21133"], "name"),
        (["balance"], "units"),
    ],
)
def test_command_against_the_sandbox(args: list[str], expect: str) -> None:
    code, out, err = invoke("--sandbox", *args)
    assert code == 0, err
    assert expect in out
    assert "summary" in err or args[0] not in ("positions", "competitors")


def test_options_after_the_command_and_csv_to_stdout() -> None:
    code, out, _ = invoke(
        "positions",
        CAMPAIGN,
        "--url",
        MASK,
        "--max-rows",
        "2",
        "--sandbox",
        "--format",
        "csv",
        "-q",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2 * 7  # 2 keywords × 1 domain × 7 days
    assert list(rows[0]) == COLUMNS


def test_exports(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    code, _, _ = invoke(
        "--sandbox",
        "-q",
        "positions",
        CAMPAIGN,
        "--url",
        MASK,
        "--url",
        "*.competitor-one.com/*",
        "--max-rows",
        "5",
        "--wide",
        "-o",
        str(wide),
    )
    assert code == 0
    with wide.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 10 and "2026-01-31" in rows[0] and rows[0]["domain"] == MASK
    jsonl = tmp_path / "rows.jsonl"
    assert (
        invoke(
            "--sandbox",
            "-q",
            "positions",
            CAMPAIGN,
            "--url",
            MASK,
            "--max-rows",
            "4",
            "-o",
            str(jsonl),
        )[0]
        == 0
    )
    docs = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(docs) == 4 and set(docs[0]["positions"]["2026-01-31"]) == {MASK}
    parquet = tmp_path / "rows.parquet"
    assert (
        invoke("--sandbox", "-q", "competitors", CAMPAIGN, "--max-rows", "6", "-o", str(parquet))[0]
        == 0
    )
    import pyarrow.parquet as pq

    table = pq.read_table(parquet)
    assert table.num_rows == 6 * 2 and "visibility" in table.column_names


def test_dry_run_prints_the_worst_case() -> None:
    code, out, _ = invoke("--sandbox", "--dry-run", "positions", CAMPAIGN, "--url", MASK)
    assert code == 0
    assert "worst case: 2,000 rows in 2 requests, 200,000 units ($10.00)" in out
    assert "probe: 1 request of 1 row, 100 units spent" in out
    code, out, _ = invoke(
        "--sandbox",
        "--dry-run",
        "projects",
        "create",
        "x",
        "x.com",
        "--keyword",
        "a",
        "--keyword",
        "b",
    )
    assert "worst case: 300 units ($0.015); nothing was sent" in out


@pytest.mark.parametrize(
    ("args", "units"),
    [
        (["projects", "list"], 100),
        (["projects", "get", PROJECT], 100),
        (["projects", "delete", PROJECT], 100),
        (["campaigns", PROJECT], 100),
        (["dates", CAMPAIGN], 100),
        (["overview", CAMPAIGN, "--url", MASK], 100),
        (["visibility", CAMPAIGN, "--url", MASK, "--kind", "adwords"], 100),
        (["audit", "info", AUDIT], 100),
        (["audit", "launch", AUDIT], 100),
        (["audit", "snapshots", AUDIT], 100),
        (["audit", "issues", AUDIT], 10_000),
        (["audit", "pages", AUDIT, "--url-contains", "x"], 100),
        (["geo", "cities", "2840", "21133"], 100),
    ],
)
def test_dry_run_of_a_one_request_command_sends_nothing(args: list[str], units: int) -> None:
    # With no units to spend, anything sent would end in "units exhausted" (exit 3).
    code, out, err = invoke("--sandbox", "--dry-run", "--max-units", "0", *args)
    assert code == 0, err
    assert f"worst case: {units:,} units (" in out and "nothing was sent" in out


def test_dry_run_of_the_history_prices_the_snapshots_it_would_pull() -> None:
    probe = "probe: the snapshot list, 100 units spent"
    _, out, _ = invoke("--sandbox", "--dry-run", "audit", "history", AUDIT)
    assert f"worst case: 3 snapshots, 30,000 units ($1.50); {probe}" in out
    _, out, _ = invoke("--sandbox", "--dry-run", "audit", "history", AUDIT, "--max-rows", "2")
    assert "worst case: 2 snapshots, 20,000 units" in out
    _, out, _ = invoke("--sandbox", "--dry-run", "audit", "history", AUDIT, "--start-offset", "2")
    assert "worst case: 1 snapshots, 10,000 units" in out


def test_estimate_needs_no_key() -> None:
    code, out, _ = invoke("estimate", "tracking_position_organic", "--lines", "1000")
    assert (code, out.strip()) == (0, "tracking_position_organic: 100,000 units ($5.00)")
    code, _, err = invoke("estimate", "tracking_position_organik")
    assert code == 2 and "report_type" in err


def test_exit_codes() -> None:
    code, _, err = invoke("projects", "list")
    assert (
        code == 1
        and "SEMRUSH_API_KEY" in err
        and "--sandbox" in err
        and len(err.strip().splitlines()) == 1
    )
    code, _, err = invoke("--sandbox", "positions", CAMPAIGN, "--url", "not-a-mask")
    assert code == 2 and "bad input" in err
    code, _, err = invoke("--sandbox", "--max-units", "50", "projects", "list")
    assert code == 3 and "units exhausted" in err
    code, _, err = invoke("--sandbox", "projects", "get", "123")
    assert code == 1 and "512" in err


def test_verbose_logs_never_show_the_key() -> None:
    key = "0123456789abcdef" * 2
    code, _, err = invoke("--api-key", key, "--base-url", "http://127.0.0.1:9", "-vv", "balance")
    assert code == 1
    assert key not in err and "countapiunits" in err


def test_money() -> None:
    from asyncsemrush.cli._run import money

    assert [money(u) for u in (0, 1, 100, 300, 2000, 20_000, 2_000_000)] == [
        "$0.00",
        "$0.00005",
        "$0.005",
        "$0.015",
        "$0.10",
        "$1.00",
        "$100.00",
    ]


async def test_ledger_command_reads_a_sqlite_ledger(tmp_path: Path) -> None:
    from asyncsemrush import SemrushClient
    from asyncsemrush.sandbox import Sandbox
    from asyncsemrush.stores.sqlite import SqliteLedger

    path = tmp_path / "ledger.sqlite"
    saved = SqliteLedger(path)
    async with Sandbox() as sb, SemrushClient(sb.api_key, base_url=sb.base_url) as sr:
        saved.attach(sr.ledger)
        await sr.projects.list()
        await (
            sr.tracking(sb.campaign_id)
            .positions(sb.tracked_url, max_rows=30, speculate=False)
            .collect()
        )
    saved.close()
    code, out, err = await asyncio.to_thread(invoke, "ledger", str(path))
    assert code == 0
    assert "project_list" in out and "tracking_position_organic" in out
    assert "total: 3,100 units ($0.155)" in err


def test_a_pull_cut_by_max_units_exits_3_and_says_how_to_resume(tmp_path: Path) -> None:
    """Issue 16: --max-units 150000 wrote 1,500 of 50,000 keywords and exited 0, silent."""
    out = tmp_path / "cut.csv"
    args = ["--sandbox", "-q", "--max-units", "30000", "positions", CAMPAIGN, "--url", MASK]
    code, _, err = invoke(*args, "--page-size", "100", "-o", str(out))
    assert code == 3, err
    assert "stopped at --max-units 30,000" in err and "of 2,000 rows written" in err
    resume = err.strip().splitlines()[-1]
    assert "--start-offset" in resume and "positions" in resume
    with out.open() as f:
        assert len({row["keyword"] for row in csv.DictReader(f)}) == 300


def test_a_page_size_of_zero_is_refused() -> None:
    """Issue 16: --page-size 0 was taken as the default (and pulled $250 of rows)."""
    code, _, err = invoke("--sandbox", "positions", CAMPAIGN, "--url", MASK, "--page-size", "0")
    assert code == 2 and "--page-size" in err


def test_version() -> None:
    from asyncsemrush import __version__

    code, out, _ = invoke("--version")
    assert code == 0 and out.strip() == f"asyncsemrush {__version__}"


def _rows_of(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return [{k: str(v) for k, v in row.items()} for row in table.to_pylist()]
    if path.suffix == ".jsonl":
        import json

        with path.open() as f:
            return [{k: str(v) for k, v in json.loads(line).items()} for line in f]
    with path.open() as f:
        return [dict(row) for row in csv.DictReader(f)]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_a_pull_stopped_and_resumed_keeps_every_row_in_every_format(
    tmp_path: Path, suffix: str
) -> None:
    """Issue 16: --append on Parquet (which the printed resume command uses) overwrote
    the file: after a stop at 6,000 of 50,000 keywords the resume left 44,000, exit 0.
    Stopped by --max-units and resumed with the printed command, again and again, every
    format ends with the rows of one uninterrupted pull, in order."""
    import shlex

    pytest.importorskip("pyarrow")
    base = ["--sandbox", "-q", "positions", CAMPAIGN, "--url", MASK, "--page-size", "100"]
    whole = tmp_path / f"whole{suffix}"
    assert invoke("--yes", *base, "-o", str(whole))[0] == 0
    cut = tmp_path / f"cut{suffix}"
    args = ["--max-units", "50000", *base, "-o", str(cut)]
    for _ in range(10):
        code, _, err = invoke(*args)
        if code == 0:
            break
        assert code == 3, err
        args = shlex.split(err.strip().splitlines()[-1])[1:]  # the printed resume command
        assert "--append" in args and "--start-offset" in args
    else:
        raise AssertionError("the resumes never finished")
    rows = _rows_of(whole)
    assert len({r["keyword_id"] for r in rows}) == 2000  # every keyword of the campaign
    assert _rows_of(cut) == rows


def test_a_balance_that_runs_out_mid_pull_prints_the_summary_and_a_runnable_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: when the balance ran out mid-pull no summary printed and the resume
    hint was a library argument (``start_offset=1500``)."""
    import functools
    import shlex

    import asyncsemrush.sandbox as sandbox_module

    monkeypatch.setattr(
        sandbox_module, "Sandbox", functools.partial(sandbox_module.Sandbox, units=45_000)
    )
    out = tmp_path / "cut.csv"
    code, _, err = invoke(
        "--sandbox", "--yes", "positions", CAMPAIGN, "--url", MASK, "--page-size", "100",
        "--prefetch", "1", "-o", str(out),
    )  # fmt: skip
    assert code == 3, err
    assert "units exhausted" in err and "rows written before it" in err
    assert "summary" in err and "uncertain" in err
    resume = err.strip().splitlines()[-1]
    assert resume.startswith("asyncsemrush ") and "start_offset=" not in resume
    args = shlex.split(resume)[1:]
    assert args[args.index("--start-offset") + 1].isdigit() and "--append" in args


def test_piped_output_is_csv_not_a_table() -> None:
    """Issue 16: piped, the default was a box table (42,000 lines: 28 s, 362 MB)."""
    code, out, _ = invoke(
        "--sandbox", "-q", "positions", CAMPAIGN, "--url", MASK, "--max-rows", "3"
    )
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert len({r["keyword"] for r in rows}) == 3 and "│" not in out and "┃" not in out


@pytest.mark.parametrize(
    ("name", "says"),
    [("out.xlsx", "unknown suffix '.xlsx'"), ("out", "unknown suffix '(none)'"),
     ("missing/out.csv", "does not exist")],
)  # fmt: skip
def test_a_bad_output_file_is_refused_before_any_request(
    tmp_path: Path, name: str, says: str, sandboxes: list[Any]
) -> None:
    """Issue 16: an unknown suffix was written as CSV; a missing directory failed after
    the pull had been paid for."""
    made = sandboxes
    target = tmp_path / name
    code, _, err = invoke("--sandbox", "positions", CAMPAIGN, "--url", MASK, "-o", str(target))
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1
    assert made and made[0].requests == [] and not target.exists()
    # with --format the suffix is the user's business
    code, _, _ = invoke(
        "--sandbox", "-q", "--format", "csv", "positions", CAMPAIGN, "--url", MASK,
        "--max-rows", "1", "-o", str(tmp_path / "out.txt"),
    )  # fmt: skip
    assert code == 0 and (tmp_path / "out.txt").read_text().startswith("keyword")


def test_iso_dates_are_read_like_yyyymmdd() -> None:
    """Issue 16: only YYYYMMDD was accepted."""
    base = ["--sandbox", "-q", "--format", "csv", "positions", CAMPAIGN, "--url", MASK]
    base += ["--max-rows", "5"]
    code_iso, iso, err = invoke(*base, "--date-begin", "2026-01-25", "--date-end", "2026-01-31")
    code_raw, raw, _ = invoke(*base, "--date-begin", "20260125", "--date-end", "20260131")
    assert code_iso == code_raw == 0, err
    assert iso == raw and "2026-01-25" in iso


def test_last_n_days_is_the_window_up_to_today() -> None:
    import datetime as dt

    from asyncsemrush.cli._app import _last_to_dates

    today = dt.datetime.now(dt.timezone.utc).date()
    values: dict[str, Any] = {"last": "30d", "date_begin": None, "date_end": None}
    _last_to_dates(values)
    assert values == {
        "date_begin": (today - dt.timedelta(days=29)).isoformat(),
        "date_end": today.isoformat(),
    }
    values = {"last": "2w", "date_begin": None, "date_end": None}
    _last_to_dates(values)
    assert values["date_begin"] == (today - dt.timedelta(days=13)).isoformat()
    code, _, err = invoke("--sandbox", "positions", CAMPAIGN, "--url", MASK, "--last", "0d")
    assert code == 2 and "--last" in err
    code, _, err = invoke(
        "--sandbox", "positions", CAMPAIGN, "--url", MASK, "--last", "7d",
        "--date-begin", "2026-01-01",
    )  # fmt: skip
    assert code == 2 and "--last" in err


def test_summary_json_for_scripts(tmp_path: Path) -> None:
    """Issue 16: a machine-readable run summary (rows, requests, attempts, units,
    dollars, uncertain, duration, resume offset)."""
    out, summary = tmp_path / "p.csv", tmp_path / "summary.json"
    code, _, _ = invoke(
        "--sandbox", "-q", "--max-units", "30000", "--summary-json", str(summary),
        "positions", CAMPAIGN, "--url", MASK, "--page-size", "100", "-o", str(out),
    )  # fmt: skip
    got = json.loads(summary.read_text())
    assert code == 3 and got["exit_code"] == 3
    assert (got["rows"], got["units"], got["resume_offset"]) == (300, 30_000, 300)
    assert got["requests"] == got["attempts"] == 3 and float(got["dollars"]) == 1.5
    assert got["uncertain_units"] == 0 and got["seconds"] > 0
    code, stdout, _ = invoke("--sandbox", "-q", "--summary-json", "-", "balance")
    assert code == 0 and json.loads(stdout.strip().splitlines()[-1])["exit_code"] == 0


def test_timeout_and_retries_reach_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: a hung server took 308 s; --timeout and --retries bound it."""
    import asyncsemrush.cli._run as run_module

    seen: dict[str, Any] = {}
    real = run_module.SemrushClient

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "SemrushClient", spy)
    code, _, _ = invoke("--sandbox", "-q", "--timeout", "2.5", "--retries", "0", "balance")
    assert code == 0 and seen["timeout"] == 2.5 and seen["retry"].max_attempts == 1


def test_a_costly_pull_needs_yes_or_max_units_without_a_terminal(
    sandboxes: list[Any],
) -> None:
    """Issue 16: a confirmation with the worst-case cost before a pull above a threshold;
    never a prompt without a terminal: then --yes or --max-units."""
    made = sandboxes
    pull = ["positions", CAMPAIGN, "--url", MASK, "--format", "csv"]
    code, out, err = invoke("--sandbox", *pull)
    assert code == 3 and "may cost up to 200,000 units ($10.00)" in err and "--yes" in err
    assert out == "" and len(made[-1].requests) == 1  # the 1-row probe (100 units), no more
    code, out, _ = invoke("--sandbox", "--confirm-above", "200000", "-q", *pull)
    assert code == 0 and len(out.splitlines()) > 2000
    code, _, _ = invoke("--sandbox", "-q", *pull, "--max-rows", "10")
    assert code == 0 and len(made[-1].requests) == 1  # max_rows bounds it: no probe


def test_a_costly_pull_asks_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncsemrush.cli._run as run_module

    monkeypatch.setattr(run_module, "interactive", lambda: True)
    pull = ["--sandbox", "positions", CAMPAIGN, "--url", MASK, "--format", "csv"]
    runner = CliRunner()
    said_no = runner.invoke(cli, pull, obj={"argv": pull}, input="n\n", env={"SEMRUSH_API_KEY": ""})
    assert said_no.exit_code == 130 and "Go on?" in said_no.stderr
    said_yes = runner.invoke(
        cli, pull, obj={"argv": pull}, input="y\n", env={"SEMRUSH_API_KEY": ""}
    )
    assert said_yes.exit_code == 0 and len(said_yes.stdout.splitlines()) > 2000


def test_deleting_a_project_asks_first() -> None:
    code, _, err = invoke("--sandbox", "projects", "delete", PROJECT)
    assert code == 2 and "--yes" in err and "cannot be undone" in err


def test_estimate_says_what_it_needs_and_takes_command_names() -> None:
    """Issue 16: `estimate TYPE` without a count said "0 units"; command names were
    unknown to it."""
    code, _, err = invoke("estimate", "tracking_position_organic")
    assert code == 2 and "--lines N" in err and "100 units a row" in err
    code, out, _ = invoke("estimate", "positions", "--lines", "1000")
    assert code == 0 and "tracking_position_organic: 100,000 units ($5.00)" in out
    code, _, err = invoke("estimate", "nonsense")
    assert code == 2 and "positions" in err and len(err.strip().splitlines()) == 1


def test_everyday_mistakes_are_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: `ledger` on a file that is not a ledger, `sandbox` on a port in use, and
    the demo under --dry-run (it wrote 204 MB)."""
    import socket

    not_a_ledger = tmp_path / "notes.txt"
    not_a_ledger.write_text("hello\n")
    code, _, err = invoke("ledger", str(not_a_ledger))
    assert code == 2 and "not a ledger file" in err and len(err.strip().splitlines()) == 1
    assert not_a_ledger.read_text() == "hello\n"  # left as it was
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        from asyncsemrush.sandbox.__main__ import main as sandbox_main

        assert sandbox_main(["--port", str(port)]) == 1
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("--dry-run", "demo")
    assert code == 0 and "nothing was done" in err and not (tmp_path / "positions.csv").exists()


def test_progress_without_a_terminal_is_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: progress for cron and CI logs; and -v a plain line a request with its
    cost; and a single-request command prints what it cost."""
    import asyncsemrush.cli._run as run_module

    monkeypatch.setattr(run_module, "PLAIN_PROGRESS_SECONDS", 0.0)
    code, _, err = invoke(
        "--sandbox", "--yes", "positions", CAMPAIGN, "--url", MASK, "--page-size", "500",
        "--format", "csv",
    )  # fmt: skip
    lines = [line for line in err.splitlines() if line.startswith("positions: ")]
    assert code == 0 and len(lines) == 4 and lines[-1].startswith("positions: 2,000/2,000 rows")
    code, _, err = invoke("--sandbox", "-v", "projects", "list")
    request = [line for line in err.splitlines() if line.startswith("GET ")]
    assert code == 0 and len(request) == 1 and "[project_list] ok" in request[0]
    assert "100 units" in request[0] and "cost: 100 units ($0.005)" in err


def test_exports_flatten_nested_values_and_parquet_columns_are_typed(tmp_path: Path) -> None:
    """Issue 16: Python reprs (Location(id=2840, ...)) or nested fields left out in CSV,
    booleans as True/False; Parquet columns all text. pandas reads the Parquet file with
    the types the CSV has when read back, dates as dates."""
    pd = pytest.importorskip("pandas")
    pq = pytest.importorskip("pyarrow.parquet")
    code, out, _ = invoke("--sandbox", "-q", "--format", "csv", "campaigns", PROJECT)
    header, first = out.splitlines()[:2]
    assert code == 0 and "location.id" in header and "location.name" in header
    assert "Location(" not in out and ",false," in first and "False" not in first
    base = ["--sandbox", "-q", "positions", CAMPAIGN, "--url", MASK, "--max-rows", "50"]
    assert invoke(*base, "-o", str(tmp_path / "p.csv"))[0] == 0
    assert invoke(*base, "-o", str(tmp_path / "p.parquet"))[0] == 0
    schema = pq.read_schema(tmp_path / "p.parquet")
    types = {name: str(schema.field(name).type) for name in schema.names}
    assert types["date"] == "date32[day]" and types["keyword_id"] == "int64"
    assert types["position"] == "int64" and types["cpc"] == "double"
    assert types["volume"] == "int64"
    from_csv = pd.read_csv(tmp_path / "p.csv")
    from_parquet = pd.read_parquet(tmp_path / "p.parquet")
    for name in ("keyword_id", "volume", "cpc"):
        assert from_csv[name].dtype == from_parquet[name].dtype, name
        assert list(from_csv[name]) == list(from_parquet[name])
    assert list(from_csv["position"].fillna(-1)) == list(from_parquet["position"].fillna(-1))
    assert [d.isoformat() for d in from_parquet["date"]] == list(from_csv["date"])


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_columns_select_and_order_every_format(tmp_path: Path, suffix: str) -> None:
    """Issue 16: --columns selects and orders columns for every format."""
    pytest.importorskip("pyarrow")
    out = tmp_path / f"p{suffix}"
    pick = "position,keyword,date" if suffix != ".jsonl" else "keyword,positions"
    code, _, err = invoke(
        "--sandbox", "-q", "--columns", pick, "positions", CAMPAIGN, "--url", MASK,
        "--max-rows", "3", "-o", str(out),
    )  # fmt: skip
    assert code == 0, err
    rows = _rows_of(out)
    assert rows and all(list(r) == pick.split(",") for r in rows)


def test_an_unknown_column_is_refused_before_any_request(sandboxes: list[Any]) -> None:
    made = sandboxes
    code, _, err = invoke(
        "--sandbox", "--columns", "keyword,rank", "positions", CAMPAIGN, "--url", MASK
    )
    assert code == 2 and "'rank'" in err and "position" in err and made[0].requests == []
    code, out, _ = invoke(
        "--sandbox", "--columns", "id,url", "--format", "csv", "campaigns", PROJECT
    )
    assert code == 0 and out.splitlines()[0] == "id,url"


def test_dry_run_says_what_max_units_buys() -> None:
    """Issue 16: `--dry-run --max-units N` reports what N buys."""
    code, out, _ = invoke(
        "--sandbox", "--dry-run", "--max-units", "150000", "positions", CAMPAIGN,
        "--page-size", "100",
    )  # fmt: skip
    assert code == 0 and "--max-units 150,000 buys 1,500 of those 2,000 rows" in out
    assert "resume from row 1,500" in out


def test_every_option_has_help_and_a_commands_own_options_come_first() -> None:
    """Issue 16: help text on every option; the subcommand's options before the shared."""
    from asyncsemrush.cli._app import cli as root

    def commands(cmd: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        if isinstance(cmd, click.Group):
            return [c for name, sub in cmd.commands.items() for c in commands(sub, (*path, name))]
        return [path]

    for path in commands(root):
        cmd: Any = root
        for name in path:
            cmd = cmd.commands[name]
        bare = [p.opts for p in cmd.params if isinstance(p, click.Option) and not p.help]
        assert not bare, (path, bare)
    _, out, _ = invoke("positions", "--help")
    assert out.index("--page-size") < out.index("--api-key") and "Examples:" in out


@pytest.mark.parametrize(
    ("command", "types"),
    [
        (["competitors", CAMPAIGN], {"date": "date32[day]", "keywords": "int64",
                                     "average_position": "double", "visibility": "double"}),
        (["landing-pages", CAMPAIGN, "--url", "example.com"], {"date": "date32[day]", "keywords": "int64",
                                       "traffic": "double", "url": "string"}),
    ],
)  # fmt: skip
def test_every_layouts_parquet_columns_are_typed(
    tmp_path: Path, command: list[str], types: dict[str, str]
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "r.parquet"
    code, _, err = invoke("--sandbox", "-q", *command, "--max-rows", "5", "-o", str(out))
    assert code == 0, err
    schema = pq.read_schema(out)
    got = {name: str(schema.field(name).type) for name in types}
    assert got == types


def test_dry_run_is_refused_where_it_means_nothing() -> None:
    code, _, err = invoke("--dry-run", "sandbox", "--port", "0")
    assert code == 2 and "--dry-run" in err


def test_sync_and_plan_commands(tmp_path: Path, sandboxes: list[Any]) -> None:
    """Issue 17: `sync --db` stores the campaign and says so; run again it is up to date
    for the date check alone (each --sandbox run starts the same sandbox); `plan` prints
    the cadences; bad input is refused before a sandbox starts."""
    pytest.importorskip("duckdb")
    db = tmp_path / "p.duckdb"
    code, out, err = invoke("--sandbox", "sync", CAMPAIGN, "--db", str(db), "--yes")
    assert code == 0 and "stored 30 dates" in err and "2,000 keywords" in err
    code, out, err = invoke("--sandbox", "sync", CAMPAIGN, "--db", str(db))
    assert code == 0 and "up to date" in err and "100 units" in err
    assert [r.report_type for r in sandboxes[-1].requests] == ["tracking_campaign_dates"]
    code, out, err = invoke("--sandbox", "plan", CAMPAIGN, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["what"] for r in rows][:2] == ["one pull now", "daily sync, 30 days"]
    assert rows[1]["units"] == str(30 * (100 + 2000 * 100))
    made = len(sandboxes)
    assert invoke("--sandbox", "sync", CAMPAIGN)[0] == 2  # neither --db nor --dataset
    assert invoke("--sandbox", "sync", CAMPAIGN, "--db", str(tmp_path / "no" / "x.db"))[0] == 2
    assert len(sandboxes) == made  # refused before any sandbox started


def test_cache_option_pays_once(tmp_path: Path, sandboxes: list[Any]) -> None:
    """`--cache FILE`: the same pull run twice; the second costs the date check alone."""
    cache, summary = tmp_path / "c.sqlite", tmp_path / "s.json"
    outs, units = [], []
    for _ in range(2):
        code, out, _ = invoke(
            "--sandbox", "--cache", str(cache), "--summary-json", str(summary),
            "positions", CAMPAIGN, "--max-rows", "300", "--page-size", "100", "--yes",
        )  # fmt: skip
        assert code == 0
        outs.append(out)
        units.append(json.loads(summary.read_text())["units"])
    assert outs[0] == outs[1] and units == [100 + 300 * 100, 100]
    kinds = [r.report_type for r in sandboxes[-1].requests]
    assert kinds == ["tracking_campaign_dates"]


@pytest.mark.parametrize(("args", "prefetch"), [((), 3), (("--prefetch", "5"), 5)])
def test_the_demo_holds_what_it_needs_in_memory(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandboxes: list[Any],
    args: tuple[str, ...],
    prefetch: int,
) -> None:
    """The demo peaked at 1.07 GB: the sandbox cached every page it rendered (256 MiB by
    default, for pulls that repeat; the demo asks for each page once), and the pull
    kept 8 pages in flight while the sandbox renders them one at a time on the same CPU.
    Now no page is cached and 3 are in flight, unless ``--prefetch`` says otherwise."""
    from asyncsemrush import pagination

    asked: list[int | None] = []
    real_init = pagination.AsyncPaginator.__init__

    def spy(self: Any, *a: Any, **kw: Any) -> None:
        asked.append(kw.get("prefetch"))
        real_init(self, *a, **kw)

    monkeypatch.setattr(pagination.AsyncPaginator, "__init__", spy)
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(*args, "demo", "--keywords", "2500", "--days", "3")
    assert code == 0, err
    assert len((tmp_path / "positions.csv").read_text().splitlines()) == 1 + 2500 * 3 * 3
    (sb,) = sandboxes
    assert len(sb.server.requests) == 3 and not sb.server.page_cache
    assert asked == [prefetch]
