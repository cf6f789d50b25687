"""Profiles: several accounts' settings in one file, keys never in it unless asked.

``~/.config/asyncsemrush/profiles.ini`` (or ``--config FILE``, or
``ASYNCSEMRUSH_CONFIG``), one section a profile; ``--profile NAME`` picks one, else the
section ``default`` is used when there is one::

    [acme]
    api_key_env = ACME_SEMRUSH_KEY        ; the key is in this environment variable
    max_units = 200000
    rate_limit = 5

    [globex]
    api_key_command = pass show semrush/globex   ; the key is what this prints

An option typed on the command line wins over the profile; a profile's key wins over
``SEMRUSH_API_KEY``. A key written in the file itself (``api_key = ...``) is refused
unless the section also says ``plain_key_ok = yes``.
"""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import attrs

from ._run import Settings

#: The options a profile may set, and how its text is read.
FIELDS: dict[str, Any] = {
    "base_url": str,
    "max_units": int,
    "rate_limit": float,
    "concurrency": int,
    "prefetch": int,
    "confirm_above": int,
    "timeout": float,
    "retries": int,
}
KEY_SOURCES = ("api_key_env", "api_key_command", "api_key")


class ProfileError(Exception):
    """A profile that cannot be used (one line, for the user)."""


def default_path() -> Path:
    """Where profiles are read from unless ``--config`` says otherwise."""
    named = os.environ.get("ASYNCSEMRUSH_CONFIG")
    if named:
        return Path(named)
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return home / "asyncsemrush" / "profiles.ini"


def apply_profile(settings: Settings) -> Settings:
    """``settings`` with the chosen profile's values where nothing was typed."""
    path = settings.config or default_path()
    if settings.profile is None and not path.is_file():
        return settings
    # ("; ..." after a value is a comment, as in the README's example)
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";",))
    try:
        read = parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise ProfileError(f"{path}: {exc}".splitlines()[0]) from None
    name = settings.profile or "default"
    if not read or not parser.has_section(name):
        if settings.profile is None:
            return settings  # no default profile: nothing to apply
        known = ", ".join(parser.sections()) or "none"
        raise ProfileError(f"no profile {name!r} in {path} (profiles: {known})")
    section = parser[name]
    unknown = sorted(set(section) - set(FIELDS) - set(KEY_SOURCES) - {"plain_key_ok"})
    if unknown:
        raise ProfileError(f"profile {name!r} in {path}: unknown setting {unknown[0]!r}")
    changes: dict[str, Any] = {}
    for field, kind in FIELDS.items():
        if field in section and field not in settings.typed:
            try:
                changes[field] = kind(section[field])
            except ValueError:
                raise ProfileError(
                    f"profile {name!r}: {field} = {section[field]!r} is not a {kind.__name__}"
                ) from None
    if "api_key" not in settings.typed:
        key = _key(name, section, path)
        if key is not None:
            changes["api_key"] = key
    return attrs.evolve(settings, **changes)


def _key(name: str, section: configparser.SectionProxy, path: Path) -> str | None:
    if "api_key_env" in section:
        variable = section["api_key_env"]
        value = os.environ.get(variable, "").strip()
        if not value:
            raise ProfileError(f"profile {name!r}: the environment variable {variable} is not set")
        return value
    if "api_key_command" in section:
        command = shlex.split(section["api_key_command"])
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ProfileError(f"profile {name!r}: api_key_command failed ({exc})") from None
        value = done.stdout.strip()
        if done.returncode != 0 or not value:
            raise ProfileError(
                f"profile {name!r}: api_key_command exited {done.returncode} without a key"
            )
        return value
    if "api_key" in section:
        if not section.getboolean("plain_key_ok", fallback=False):
            raise ProfileError(
                f"profile {name!r} in {path} holds a key in clear: use api_key_env or "
                "api_key_command, or add plain_key_ok = yes to keep it there"
            )
        return section["api_key"].strip()
    return None
