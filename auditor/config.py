"""One configuration file (TOML) for the nightly job, with environment overrides.

Looked up in order: `--config PATH`, `$XXGK_CONFIG`, `./xxgk-auditor.toml`,
`~/.config/xxgk-auditor/config.toml`, `/etc/xxgk-auditor/config.toml`, and last `./audit-demo/xxgk-auditor.toml`
(the one `auditor demo` leaves, so the README's commands work right after it in the same folder, while any
real configuration still wins); the first that exists wins.
Every value can be overridden by `XXGK_<SECTION>_<KEY>` (e.g. `XXGK_STORE_PATH`, `XXGK_SMTP_HOST`).
SMTP credentials live only in the environment (`XXGK_SMTP_USER`, `XXGK_SMTP_PASSWORD`), never in a file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


class ConfigError(Exception):
    """A configuration file or value that cannot be used; says which file and key."""


def _default_db() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "xxgk-auditor" / "audit.sqlite")


@dataclass(frozen=True)
class StoreConfig:
    path: str = field(default_factory=_default_db)  # the SQLite history file
    keep: int = 0  # keep raw evidence of the newest N runs (0 = keep all); findings are always kept


@dataclass(frozen=True)
class OutputConfig:
    dir: str = "audit-reports"  # where `auditor run` writes findings.json and the reports
    fix_days: int = 10  # working days a department has to fix a finding, counted from first seen


@dataclass(frozen=True)
class CrawlConfig:
    site: str = "ustb"  # the catalogue used when --site is not given
    sites: tuple[str, ...] = ()  # several catalogues audited in one night (`auditor run`); wins over `site`
    polite: bool = True  # delay and per-host cap from the catalogue's policy
    obey_robots: bool = True
    proxy: str = ""  # explicit proxy; otherwise http_proxy/https_proxy/no_proxy are honoured
    contact: str = ""  # appended to the User-Agent so site admins can reach us
    rotation_nights: int = 0  # verify every carried URL within this many nights; 0: the catalogue's policy


@dataclass(frozen=True)
class SmtpConfig:
    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    allow_plain_auth: bool = False  # log in over security = "none" (a relay on this machine only)
    sender: str = ""
    user: str = ""  # from XXGK_SMTP_USER only
    password: str = ""  # from XXGK_SMTP_PASSWORD only


@dataclass(frozen=True)
class AlertsConfig:
    operator: str = ""  # who hears when the audit itself is blind (no alerts when empty)
    after_nights: int = 3  # nights running with no scored run before the operator is told


@dataclass(frozen=True)
class Config:
    store: StoreConfig = field(default_factory=StoreConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    source: str = ""  # the file it came from, or "" for defaults only

    def masked(self) -> dict[str, dict[str, Any]]:
        """Effective values for display, secrets masked."""
        out: dict[str, dict[str, Any]] = {}
        for section in ("store", "output", "crawl", "smtp", "alerts"):
            values = dict(vars(getattr(self, section)))
            if section == "smtp" and values.get("password"):
                values["password"] = "********"
            if section == "crawl":
                values["proxy"] = mask_url(values["proxy"])
                values["sites"] = ", ".join(values["sites"])
            out[section] = values
        return out


_SECRETS = {("smtp", "user"), ("smtp", "password")}


def mask_url(url: str) -> str:
    """A URL fit to print: the password of `user:password@host` replaced by ********."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if not password:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:********@{host}"))


def candidate_paths() -> list[Path]:
    paths = []
    if os.environ.get("XXGK_CONFIG"):
        paths.append(Path(os.environ["XXGK_CONFIG"]))
    paths += [
        Path("xxgk-auditor.toml"),
        Path.home() / ".config" / "xxgk-auditor" / "config.toml",
        Path("/etc/xxgk-auditor/config.toml"),
        Path("audit-demo") / "xxgk-auditor.toml",  # written by `auditor demo` (its default --out)
    ]
    return paths


def load_config(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Config:
    env = dict(os.environ if environ is None else environ)
    raw: dict[str, Any] = {}
    source = ""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"{p}: configuration file not found")
        candidates = [p]
    else:
        candidates = [c for c in candidate_paths() if c.is_file()][:1]
    for p in candidates:
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{p}: {exc}") from exc
        source = str(p)
    config = Config(source=source)
    for section_field in fields(Config):
        if section_field.name == "source":
            continue
        section = getattr(config, section_field.name)
        given = raw.pop(section_field.name, {})
        if not isinstance(given, dict):
            raise ConfigError(f"{source}: [{section_field.name}] must be a table")
        section = _apply(section, section_field.name, given, source, env)
        config = replace(config, **{section_field.name: section})
    if raw:
        raise ConfigError(f"{source}: unknown section(s): {', '.join(sorted(raw))}")
    return config


def _apply(section: Any, name: str, given: dict[str, Any], source: str, env: dict[str, str]) -> Any:
    changes: dict[str, Any] = {}
    known = {f.name: f for f in fields(section)}
    for key, value in given.items():
        if key not in known:
            raise ConfigError(f"{source}: [{name}] unknown key {key!r} (known: {', '.join(known)})")
        if (name, key) in _SECRETS:
            raise ConfigError(f"{source}: [{name}] {key} must come from the environment (XXGK_SMTP_{key.upper()})")
        if (name, key) == ("crawl", "proxy") and isinstance(value, str) and "@" in value.partition("://")[2]:
            raise ConfigError(f"{source}: [crawl] proxy must not hold credentials (user:password@); give the"
                              " whole proxy URL in the environment instead (XXGK_CRAWL_PROXY)")
        changes[key] = _coerce(value, getattr(section, key), f"{source}: [{name}] {key}")
    for key in known:
        env_value = env.get(f"XXGK_{name.upper()}_{key.upper()}")
        if env_value is not None:
            changes[key] = _coerce(env_value, getattr(section, key), f"${'XXGK_' + name.upper() + '_' + key.upper()}")
    return replace(section, **changes)


def _coerce(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, tuple):  # a list of names: a TOML array, or comma-separated in the environment
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"{where}: expected a list of catalogue ids or files, e.g. [\"ustb\", \"sites/b.yaml\"],"
                              f" got {value!r}")
        return tuple(v.strip() for v in value)
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if isinstance(default, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}") from None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected text, got {value!r}")
    return value
