"""What every `auditor` subcommand shares: the configuration and store it works on, the options several
commands take, and the one way a command ends on an error."""

from __future__ import annotations

import getpass
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.text import Text

from auditor.config import Config, ConfigError, load_config
from auditor.exits import ExitStatus
from auditor.store import Store, StoreError
from checklist.model import parse_item_numbers


def die(message: str, code: ExitStatus = ExitStatus.USAGE) -> NoReturn:
    """One line on stderr, no traceback, the documented status. The message may quote crawled or user
    text: it is printed as plain text, never as Rich markup."""
    Console(stderr=True, highlight=False).print(Text.assemble(("错误 error: ", "bold red"), message))
    sys.exit(int(code))


def parse_date(option: str, value: str | None) -> date | None:
    """A date option's value (None when not given), or the one line saying how to write it."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        die(f"{option} {value!r}: expected a date YYYY-MM-DD")


def parse_as_of(value: str | None) -> date | None:
    """--as-of as a date (None: today)."""
    return parse_date("--as-of", value)


def author(value: str | None) -> str:
    """Who made a change: --by, else the login name."""
    if value and value.strip():
        return value.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "未署名"


class Context:
    """Lazily loaded configuration shared by the commands (the `auditor` group's `obj`)."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                die(str(exc))
        return self._config

    def db(self, override: str | None) -> str:
        return override or self.config.store.path

    def open_store(self, override: str | None, *, must_exist: bool = True) -> Store:
        path = Path(self.db(override))
        if must_exist and not path.exists():
            die(f"{path}: no audit database here yet (run `auditor run` or `auditor crawl` first, or pass --db)")
        try:
            return Store(path)
        except StoreError as exc:
            die(str(exc))


pass_ctx = click.make_pass_decorator(Context)


site_option = click.option("--site", "site_ref", default=None,
                           help="Catalogue id (e.g. ustb) or path to a catalogue YAML file.")
db_option = click.option("--db", default=None, help="SQLite history file (default from config).")
by_option = click.option("--by", default=None, help="Who makes the change (default: $USER).")


def crawl_options(f: Any) -> Any:
    """The crawl's options, the same for `auditor crawl` and `auditor run`."""
    for option in reversed([
        click.option("--proxy", default=None, help="Send every request through this HTTP proxy."),
        click.option("--polite/--no-polite", default=None,
                     help="Delay and per-host cap from the catalogue (default on)."),
        click.option("--ignore-robots", is_flag=True, default=False, help="Do not obey robots.txt."),
        click.option("--items", default=None, help="Only these items, e.g. 6,19-21."),
        click.option("--full", is_flag=True, default=False,
                     help="Fetch every URL tonight; carry nothing forward from earlier nights."),
    ]):
        f = option(f)
    return f


def item_numbers(value: str | None) -> list[int] | None:
    """--items as 清单 item numbers (None: every item), or the one line saying how to write them."""
    if not value:
        return None
    try:
        return parse_item_numbers(value)
    except ValueError:
        die(f"--items {value!r}: expected numbers such as 6,19-21")
