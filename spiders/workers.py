"""Page and attachment reading in worker processes, beside the crawl.

Extraction is pure-Python CPU work (lxml heuristics, pdfminer, python-docx). In the crawl's own process
it holds the GIL and stalls every download; in a worker it runs on the machine's other core(s) while
Scrapy keeps fetching. A worker stuck on a pathological file or page is killed and replaced, which a
thread cannot be. Identical attachments (the same PDF linked from many pages) are read once per run.

The sites of one night share the process's workers (`auditor run --site A --site B`): twenty universities
crawled at once need the spare cores once, not twenty pools of readers each as large as a crawl.

The crawl forks its readers before it starts (`forked_readers`): a fork shares the crawl process's
interpreter (Scrapy, Twisted, lxml, our modules) copy-on-write, where a spawned reader loads its own, and
multiprocessing starts no resource tracker for a fork pool (bench/README.md, "Issue 13, memory"). Forking
is safe only while the process is one thread and runs no event loop, so it happens then or not at all: a
pool needed later (the first one of `scrapy crawl`, or the fresh one after a reader was killed for a
timeout, when the crawl runs threads) is spawned, as before.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
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

    def release(self) -> None:
        """One user done; the last one shuts the pool down."""
        self.users -= 1
        if self.users > 0:
            return
        if _SHARED.get(self.processes) is self:
            del _SHARED[self.processes]
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


_SHARED: dict[int, _Shared] = {}


def pool_size(processes: int | None) -> int:
    """Reader processes for a requested count; None: one per core but the crawl's own. 0: read in this
    process (small crawls, or a one-core machine)."""
    return max(0, (os.cpu_count() or 1) - 1) if processes is None else processes


def _shared(processes: int) -> _Shared:
    shared = _SHARED.setdefault(processes, _Shared(processes))
    shared.users += 1
    return shared


@contextmanager
def forked_readers(processes: int | None = None, *, ready_s: float = 30.0) -> Iterator[bool]:
    """Fork the process's readers now, for the `Workers` created inside the block; yields whether it did.

    Call it while the process is one thread and before the reactor or any event loop runs (the crawl's
    command, before Scrapy starts). Otherwise nothing is forked, and the readers are spawned when first
    needed, as without this block. The GC's objects are frozen first (`gc.freeze`): neither process's
    collections then write to the pages they share. In the reader, `_forked_reader` resets what it must
    not share with the crawl (signal handlers, the crawl's open files). A reader that does not answer a
    no-op within `ready_s` is stopped and the pool left to be spawned."""
    size = pool_size(processes)
    shared = _shared(size) if size else None
    forked = False
    try:
        if shared is not None and shared.pool is None and _one_thread() and _no_event_loop():
            forked = _fork_pool(shared, ready_s)
        yield forked
    finally:
        if shared is not None:
            shared.release()


def _one_thread() -> bool:
    """True when this process runs one thread, native ones included (not only those `threading` knows)."""
    try:
        return threading.active_count() == 1 and len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: not Linux, where fork is not what we rely on
        return False


def _no_event_loop() -> bool:
    """True when no event loop runs here nor has taken over signals (a loop sets the wakeup fd)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return False
    try:
        wakeup = signal.set_wakeup_fd(-1)
    except ValueError:  # not the main thread
        return False
    if wakeup != -1:
        signal.set_wakeup_fd(wakeup)
        return False
    return True


def _fork_pool(shared: _Shared, ready_s: float) -> bool:
    gc.collect()  # the garbage first: a frozen object is never collected
    gc.freeze()
    # The crawl's descriptors, listed after the collection (which may close some) and before the pool
    # opens its own pipes, which the reader keeps.
    inherited = tuple(fd for fd in _open_fds() if fd > 2)
    pool = ProcessPoolExecutor(shared.processes, mp_context=multiprocessing.get_context("fork"),
                               initializer=_forked_reader, initargs=(os.getpid(), inherited))
    # A fork pool forks all its workers in the first submit, before it starts its manager thread.
    try:
        pool.submit(_ready).result(timeout=ready_s)
    except (FutureTimeout, BrokenProcessPool, OSError):
        _stop(pool)
        return False
    shared.pool = pool
    return True


def _open_fds() -> list[int]:
    """This process's open descriptors (less the one that listing them opened and closed)."""
    try:
        listed = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
    except OSError:
        return []
    return [fd for fd in listed if _is_open(fd)]


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


class Workers:
    def __init__(self, *, timeout_s: float = 60.0, max_chars: int = 2_000_000,
                 cache_chars: int = 50_000_000, processes: int | None = None) -> None:
        self.timeout_s = timeout_s
        self.max_chars = max_chars
        self.processes = pool_size(processes)
        self._shared = _shared(self.processes)
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
        if pool is not None:
            _stop(pool)

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
        self._shared.release()


def _stop(pool: ProcessPoolExecutor) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):  # no public API to stop a busy worker
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _ready() -> int:
    return os.getpid()


def _forked_reader(parent: int, inherited: tuple[int, ...]) -> None:
    """In a reader forked from the crawl: let go of what belongs to the crawl, then follow it.

    Python-level signal handlers are the crawl's (a reader that ran the crawl's SIGTERM handler would
    survive `_kill`): back to what a fresh interpreter has. The files the crawl had open when it forked
    (a run's lock among them, which `flock` keeps held while any copy of its descriptor is open) are
    replaced by /dev/null, so a crawl killed with -9 leaves nothing held by its reader."""
    signal.set_wakeup_fd(-1)
    for sig in signal.valid_signals():
        try:
            handler = signal.getsignal(sig)
        except (OSError, ValueError):
            continue
        if sig == signal.SIGINT:
            if handler is not signal.default_int_handler:
                signal.signal(sig, signal.default_int_handler)
        elif callable(handler):
            signal.signal(sig, signal.SIG_DFL)
    if inherited:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in inherited:
            try:
                os.dup2(null, fd)
            except OSError:
                pass
        os.close(null)
    _follow_parent(parent)


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

