"""Profiles for several accounts: the right key, the right limits, no key in clear."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from asyncsemrush.cli._app import cli
from asyncsemrush.sandbox import Sandbox

WRONG = "f" * 32


def invoke(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), obj={"argv": list(args)}, env=env)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profiles.ini"
    path.write_text(text)
    return path


def test_a_profile_picks_its_account_and_limits(tmp_path: Path, served: Sandbox) -> None:
    """Issue 16: a config file with profiles (key source, base URL, budget, rate)."""
    config = write(
        tmp_path,
        f"[acme]\napi_key_env = ACME_KEY   ; the key is in this variable\n"
        f"base_url = {served.base_url}\nrate_limit = 5\n"
        f"[tight]\napi_key_env = ACME_KEY\nbase_url = {served.base_url}\nmax_units = 50\n"
        f"[shell]\napi_key_command = echo {served.api_key}\nbase_url = {served.base_url}\n",
    )
    env = {"ACME_KEY": served.api_key, "SEMRUSH_API_KEY": WRONG}
    code, out, err = invoke(
        "--config", str(config), "--profile", "acme", "projects", "list", env=env
    )
    assert code == 0 and "example.com" in out, err  # the profile's key beat SEMRUSH_API_KEY
    code, _, err = invoke("--config", str(config), "--profile", "shell", "balance", env=env)
    assert code == 0, err
    code, _, err = invoke(
        "--config", str(config), "--profile", "tight", "projects", "list", env=env
    )
    assert code == 3 and "units exhausted" in err  # the profile's budget
    code, _, err = invoke(
        "--config", str(config), "--profile", "acme", "--api-key", WRONG, "projects", "list",
        env=env,
    )  # fmt: skip
    assert code == 1  # a typed --api-key wins over the profile: the sandbox refuses it


def test_a_key_in_clear_or_a_missing_profile_is_refused(tmp_path: Path) -> None:
    config = write(tmp_path, "[clear]\napi_key = 0123456789abcdef0123456789abcdef\n")
    code, _, err = invoke("--config", str(config), "--profile", "clear", "balance", env={})
    assert code == 2 and "in clear" in err and "0123456789abcdef" not in err
    code, _, err = invoke("--config", str(config), "--profile", "nope", "balance", env={})
    assert code == 2 and "no profile 'nope'" in err and "clear" in err
    allowed = write(tmp_path, "[clear]\napi_key = k\nplain_key_ok = yes\nmax_units = x\n")
    code, _, err = invoke("--config", str(allowed), "--profile", "clear", "balance", env={})
    assert code == 2 and "max_units" in err
