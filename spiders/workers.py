"""Page and attachment reading in worker processes, beside the crawl.

Extraction is pure-Python CPU work (lxml heuristics, pdfminer, python-docx). In the crawl's own process
it holds the GIL and stalls every download; in a worker it runs on the machine's other core(s) while
Scrapy keeps fetching. A worker stuck on a pathological file or page is killed and replaced, which a
thread cannot be. Identical attachments (the same PDF linked from many pages) are read once per run.

The sites of one night share the process's workers (`auditor run --site A --site B`): twenty universities
crawled at once need the spare cores once, not twenty pools of readers each as large as a crawl.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from checklist.model import Selectors
from spiders.attachments import AttachmentText, FileKind, decode_with_encoding, extract_text
from spiders.extract import PageExtract, extract_page

T = TypeVar("T")

#: Kinds whose reading costs real CPU; plain text and HTML bodies are decoded in place.
_HEAVY = frozenset({FileKind.PDF, FileKind.DOCX, FileKind.DOC, FileKind.XLSX, FileKind.XLS, FileKind.ZIP})


class ExtractionFailed(Exception):
    """The worker could not read this page in time, or crashed on it."""


class _Shared:
    """The pool and its slots that every `Workers` of this process with the same size uses."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.pool: ProcessPoolExecutor | None = None
        self.slots = asyncio.Semaphore(max(1, processes))
        self.users = 0


_SHARED: dict[int, _Shared] = {}


class Workers:
    def __init__(self, *, timeout_s: float = 60.0, max_chars: int = 2_000_000,
                 cache_chars: int = 50_000_000, processes: int | None = None) -> None:
        self.timeout_s = timeout_s
        self.max_chars = max_chars
        # 0 processes: read in this process (small crawls, or a one-core machine).
        self.processes = max(0, (os.cpu_count() or 1) - 1) if processes is None else processes
        self._shared = _SHARED.setdefault(self.processes, _Shared(self.processes))
        self._shared.users += 1
        self._closed = False
        self._cache: OrderedDict[str, AttachmentText] = OrderedDict()
        self._cache_chars = 0
        self._cache_limit = cache_chars
        self._reading: dict[str, asyncio.Future[AttachmentText]] = {}

    @property
    def _pool(self) -> ProcessPoolExecutor | None:
        return self._shared.pool

    @_pool.setter
    def _pool(self, pool: ProcessPoolExecutor | None) -> None:
        self._shared.pool = pool

    @property
    def _slots(self) -> asyncio.Semaphore:
        return self._shared.slots

    async def extract(self, body: bytes, charset: str, url: str, selectors: Selectors | None, *,
                      max_links: int | None = None, max_entries: int | None = None) -> PageExtract:
        """Read an HTML page's bytes (decoded here as `decode_with_encoding` does for the page record). The
        bounds are applied inside the worker: a page of 100,000 links sends back at most the bound, not a
        list the crawl would unpickle only to cut."""
        return await self._run(_extract, body, charset, url, selectors, max_links, max_entries)

    async def read(self, body: bytes, kind: FileKind) -> AttachmentText:
        if kind not in _HEAVY:
            return extract_text(body, kind, max_chars=self.max_chars)
        key = f"{kind}:{hashlib.sha256(body).hexdigest()}"
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        pending = self._reading.get(key)
        if pending is not None:  # the same file is being read for another link right now
            return await asyncio.shield(pending)
        future: asyncio.Future[AttachmentText] = asyncio.get_running_loop().create_future()
        self._reading[key] = future
        try:
            result = await self._run(_read, body, kind, self.max_chars)
        except ExtractionFailed as exc:
            result = AttachmentText(kind, "", None, True, str(exc))
        except BaseException:
            future.cancel()  # whoever waits on the same file gives up with us
            raise
        finally:
            del self._reading[key]
        future.set_result(result)
        self._remember(key, result)
        return result

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if not self.processes:
            return fn(*args)
        loop = asyncio.get_running_loop()
        # A page's clock starts when a worker is free: time spent queued behind slow pages is not its
        # parse time (seven healthy columns were once recorded "reader crashed" for waiting).
        async with self._slots:
            for _ in range(2):
                pool = self._executor()
                try:
                    return await asyncio.wait_for(loop.run_in_executor(pool, fn, *args), self.timeout_s)
                except TimeoutError:
                    self._kill()
                    raise ExtractionFailed(f"timeout: not read within {self.timeout_s:.0f} s") from None
                except BrokenProcessPool:
                    if pool is not self._pool:
                        continue  # the pool was stopped for another page's timeout: read this one again
                    self._kill()
                    raise ExtractionFailed("reader crashed on this content") from None
            raise ExtractionFailed("reader crashed on this content")

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the crawl process runs threads and an event loop that must not be copied.
            self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_follow_parent, initargs=(os.getpid(),))
        return self._pool

    def _kill(self) -> None:
        """Stop a worker stuck on a file; the next task gets a fresh pool."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):  # no public API to stop a busy worker
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)

    def _remember(self, key: str, result: AttachmentText) -> None:
        self._cache[key] = result
        self._cache_chars += len(result.text)
        while self._cache_chars > self._cache_limit and self._cache:
            _, old = self._cache.popitem(last=False)
            self._cache_chars -= len(old.text)

    def close(self) -> None:
        """Done with the workers; the last user of the process's pool shuts it down."""
        if self._closed:
            return
        self._closed = True
        self._shared.users -= 1
        if self._shared.users > 0:
            return
        _SHARED.pop(self.processes, None)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _follow_parent(parent: int) -> None:
    """A worker ends when the crawl does, even after kill -9 (which runs no clean-up in the crawl)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def _extract(body: bytes, charset: str, url: str, selectors: Selectors | None, max_links: int | None,
             max_entries: int | None) -> PageExtract:
    html, _encoding = decode_with_encoding(body, charset)
    return extract_page(html, url, selectors, max_links=max_links, max_entries=max_entries)


def _read(body: bytes, kind: FileKind, max_chars: int) -> AttachmentText:
    return extract_text(body, kind, max_chars=max_chars)

