"""A page's parse timeout counts its own parse time: pages queued behind a slow one, or read beside it
when its worker is stopped, are not recorded as "reader crashed" (spiders/workers.py)."""

from __future__ import annotations

import asyncio
import time

import pytest

from spiders.workers import ExtractionFailed, Workers


def test_a_slow_page_fails_alone_and_the_pages_around_it_are_read() -> None:
    async def night() -> list[str]:
        workers = Workers(timeout_s=60.0, processes=2)
        try:
            await asyncio.gather(workers._run(time.sleep, 0), workers._run(time.sleep, 0))  # workers started
            workers.timeout_s = 6.0

            async def page(seconds: float) -> str:
                try:
                    await workers._run(time.sleep, seconds)
                    return "read"
                except ExtractionFailed as exc:
                    return str(exc)
            # one page that hangs, and six healthy ones that together take longer than the timeout to queue
            # the queue (6 × 1.5 s on the one free worker) is longer than the timeout; no page takes that long
            return await asyncio.gather(page(30.0), *(page(1.5) for _ in range(6)))
        finally:
            workers.close()

    results = asyncio.run(night())
    assert results[0].startswith("timeout"), results
    assert results[1:] == ["read"] * 6, results


@pytest.mark.parametrize("processes", [1])
def test_one_worker_still_reads_a_queue_longer_than_the_timeout(processes: int) -> None:
    async def night() -> list[None]:
        workers = Workers(timeout_s=60.0, processes=processes)
        try:
            await workers._run(time.sleep, 0)  # the worker started (spawning is not parsing either)
            workers.timeout_s = 2.0
            return await asyncio.gather(*(workers._run(time.sleep, 0.5) for _ in range(6)))
        finally:
            workers.close()

    assert asyncio.run(night()) == [None] * 6
