"""The command as a real process: the demo, a pull to CSV, and Ctrl-C mid-pull."""

from __future__ import annotations

import csv
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .test_commands import COLUMNS

COMMAND = [sys.executable, "-m", "asyncsemrush"]
ENV = {**os.environ, "SEMRUSH_API_KEY": ""}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert all(len(r) == len(COLUMNS) and None not in r.values() for r in rows), "a truncated line"
    return rows


def run_ok(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command to its end; it must succeed."""
    done = subprocess.run(
        [*COMMAND, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=ENV
    )
    assert done.returncode == 0, done.stderr
    return done


def start(args: list[str], cwd: Path, *, text: bool) -> subprocess.Popen[Any]:
    """Start the command with its stdout and stderr piped to the test."""
    return subprocess.Popen(
        [*COMMAND, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=text,
        env=ENV,
    )


def test_demo(tmp_path: Path) -> None:
    # the demo's code path at a tenth of its size, to keep the suite fast
    done = run_ok(["demo", "--keywords", "2000"], tmp_path)
    rows = read_csv(tmp_path / "positions.csv")
    assert len(rows) == 2000 * 3 * 30
    assert len({r["keyword_id"] for r in rows}) == 2000
    assert (
        "summary" in done.stderr
        and "the sandbox charged 200,000 units, the ledger says 200,000" in done.stderr
    )


def test_sandbox_positions_to_csv(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    args = [
        "--sandbox",
        "positions",
        "6647718_272401",
        "--url",
        "*.example.com/*",
        "--url",
        "*.competitor-one.com/*",
        "--max-rows",
        "250",
        "-o",
        str(out),
    ]
    run_ok(args, tmp_path)
    rows = read_csv(out)
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 250 * 2 * 7


def test_interrupt_leaves_a_valid_file_and_a_resume_line(tmp_path: Path) -> None:
    out = tmp_path / "part.csv"
    args = [
        "--sandbox",
        "--yes",
        "--rate-limit",
        "4",
        "--prefetch",
        "2",
        "positions",
        "6647718_272401",
        "--url",
        "*.example.com/*",
        "--page-size",
        "20",
        "-o",
        str(out),
    ]
    proc = start(args, tmp_path, text=True)
    deadline = time.monotonic() + 30
    while (not out.exists() or out.stat().st_size < 5000) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "summary" in err
    resume = err.split("interrupted; resume with:\n", 1)[1].splitlines()[0]
    tokens = shlex.split(resume)
    offset = int(tokens[tokens.index("--start-offset") + 1])
    assert tokens[-1] == "--append" and 0 < offset < 2000
    partial = read_csv(out)
    assert len(partial) == offset * 7  # every delivered keyword, whole
    # the printed line resumes the pull: together, every row exactly once
    run_ok(tokens[1:], tmp_path)
    rows = read_csv(out)
    assert len(rows) == 2000 * 7
    keys = [(r["keyword_id"], r["date"]) for r in rows]
    assert len(set(keys)) == len(keys)


def test_the_resume_line_never_prints_the_key(tmp_path: Path) -> None:
    """Ctrl-C with --api-key before and after the command (and as --api-key=KEY): the
    printed resume line leaves the key out and says how to give it."""
    key = "".join(reversed("0123456789abcdef")) * 2  # made up, in the documented shape
    for placement in ("before", "after", "equals"):
        out = tmp_path / f"{placement}.csv"
        pull = ["positions", "6647718_272401", "--page-size", "20", "-o", str(out)]
        opts = ["--sandbox", "--yes", "--rate-limit", "4"]
        if placement == "before":
            args = ["--api-key", key, *opts, *pull]
        elif placement == "after":
            args = [*opts, *pull, "--api-key", key]
        else:
            args = [*opts, f"--api-key={key}", *pull]
        proc = start(args, tmp_path, text=True)
        deadline = time.monotonic() + 30
        while (not out.exists() or out.stat().st_size < 3000) and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        stdout, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, err
        assert key not in err and key not in stdout, placement
        assert "set SEMRUSH_API_KEY" in err
        resume = err.split("interrupted; resume with:\n", 1)[1].splitlines()[0]
        assert "--api-key" not in resume and "--start-offset" in resume


def test_a_reader_that_closes_the_pipe_gets_the_summary_and_a_resume_line(
    tmp_path: Path,
) -> None:
    """``asyncsemrush positions ... | head``: the reader closing stdout used to end the
    command with exit 1, no summary, no resume line and no ``--summary-json``, while the
    units were spent. Now the pages in flight are settled, the summary and the command
    that resumes go to stderr, and the exit code is 130 (interrupted)."""
    import json

    summary = tmp_path / "summary.json"
    args = ["--sandbox", "-y", "--format", "csv", "--summary-json", str(summary)]
    args += ["positions", "6647718_272401", "--url", "*.example.com/*"]
    proc = start(args, tmp_path, text=False)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"keyword_id,")  # the header, then: gone
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 130, err
    assert "summary" in err and "closed by its reader" in err, err
    assert "resume with:" in err and "--start-offset" in err, err
    written = json.loads(summary.read_text())
    assert written["exit_code"] == 130
    assert written["units"] > 0 and written["uncertain_units"] == 0  # what it cost, settled
    assert written["resume_offset"] == written["rows"]  # from the first row not handed over
