"""What every `auditor` subcommand shares: the one way a command ends on an error."""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.console import Console
from rich.text import Text

from auditor.exits import ExitStatus


def die(message: str, code: ExitStatus = ExitStatus.USAGE) -> NoReturn:
    """One line on stderr, no traceback, the documented status. The message may quote crawled or user
    text: it is printed as plain text, never as Rich markup."""
    Console(stderr=True, highlight=False).print(Text.assemble(("错误 error: ", "bold red"), message))
    sys.exit(int(code))
