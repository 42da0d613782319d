"""How a command ends: the exit statuses cron and scripts read, and the error a command raises to end on one.

Defined once for every `auditor` command (README, `auditor --help`). The library below the command layer
raises its own typed exceptions (StoreError, CatalogueError, ConfigError, InspectError, DraftError); the
command layer turns what the user must change into a `CommandError`, and `auditor.cli.main` prints it
as one line and exits with its status.
"""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    OK = 0  # every item passes or warns (catalogue: every item mapped)
    FAIL = 1  # some item fails (catalogue: some items are left for the user)
    USAGE = 2  # a user mistake or an unusable input: one line says what to do
    INCONCLUSIVE = 3  # the site or the network failed: departments not scored
    INTERRUPTED = 4  # Ctrl-C, SIGTERM or a crash: stored as interrupted, not scored

    @property
    def meaning(self) -> str:
        """What the status tells the operator, in the words of the README's table."""
        return _MEANINGS[self]


_MEANINGS = {
    ExitStatus.OK: "各事项合格或提醒",
    ExitStatus.FAIL: "有事项不合格",
    ExitStatus.USAGE: "配置或目录有误，未检查",
    ExitStatus.INCONCLUSIVE: "无法判定（网站或网络故障，不计分）",
    ExitStatus.INTERRUPTED: "中断（不计分）",
}


def worst(codes: list[int]) -> ExitStatus:
    """The status of a night of several sites: the worst of theirs, in the order interrupted, inconclusive,
    unusable input, fail, ok (the numbers' own order), so cron hears of the site that needs it most."""
    return ExitStatus(max(codes, default=ExitStatus.OK))


class CommandError(Exception):
    """What the user must change, in one line; the CLI prints it and exits with `status`."""

    def __init__(self, message: str, status: ExitStatus = ExitStatus.USAGE) -> None:
        super().__init__(message)
        self.status = status
