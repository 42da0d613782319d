"""Our Scrapy components bundled as one add-on, so `scrapy crawl catalogue` and `auditor crawl` agree.

Components are merged with Scrapy's own helpers for component priority dicts, so a project or a `-s`
that adds components of its own keeps them; ours replace Scrapy's retry and redirect middlewares in
their places (same priority) rather than running beside them.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.httpauth import HttpAuthMiddleware
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from spiders.gate import GateMiddleware
from spiders.middlewares import BackoffRetryMiddleware, ExplicitProxyMiddleware, GuardedRedirectMiddleware
from spiders.pipelines import StorePipeline
from spiders.progress import ProgressExtension
from spiders.robots import BoundedRobotsTxtMiddleware
from spiders.watchdog import StallWatchdog

MIDDLEWARES = "DOWNLOADER_MIDDLEWARES"


def _replace(settings: BaseSettings, old: type, new: type) -> None:
    """Put `new` where Scrapy's `old` middleware stands (its priority in DOWNLOADER_MIDDLEWARES_BASE)."""
    base = settings.getdict(f"{MIDDLEWARES}_BASE")
    priority = next(int(v) for k, v in base.items() if load_object(k) is old)
    settings.set_in_component_priority_dict(MIDDLEWARES, old, None)
    settings.set_in_component_priority_dict(MIDDLEWARES, new, priority)


class XxgkAddon:
    """Registers the store pipeline, the progress extension, the retry-with-backoff, guarded-redirect
    and explicit-proxy middlewares; drops the middlewares whose work the spider does itself."""

    def update_settings(self, settings: BaseSettings) -> None:
        settings.set_in_component_priority_dict("ITEM_PIPELINES", StorePipeline, 300)
        settings.set_in_component_priority_dict("EXTENSIONS", ProgressExtension, 500)
        settings.set_in_component_priority_dict("EXTENSIONS", StallWatchdog, 510)
        _replace(settings, RetryMiddleware, BackoffRetryMiddleware)
        _replace(settings, RedirectMiddleware, GuardedRedirectMiddleware)
        # robots.txt bounded in size and rules, parsed off the event loop (spiders/robots.py).
        _replace(settings, RobotsTxtMiddleware, BoundedRobotsTxtMiddleware)
        # The catalogue's allowed hosts are enforced by the spider (off-site = link check only); no auth.
        settings.set_in_component_priority_dict(MIDDLEWARES, OffsiteMiddleware, None)
        settings.set_in_component_priority_dict(MIDDLEWARES, HttpAuthMiddleware, None)
        # Before RobotsTxtMiddleware (100) and HttpProxyMiddleware (750): robots.txt goes the same way.
        settings.set_in_component_priority_dict(MIDDLEWARES, ExplicitProxyMiddleware, 50)
        # Before robots.txt (100): a refused host has its robots.txt refused too, and nothing is sent.
        settings.set_in_component_priority_dict(MIDDLEWARES, GateMiddleware, 40)
