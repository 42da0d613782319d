"""Our Scrapy components bundled as one add-on, so `scrapy crawl catalogue` and `auditor crawl` agree."""

from __future__ import annotations

from scrapy.settings import BaseSettings


class XxgkAddon:
    """Registers the store pipeline, the progress extension and the retry-with-backoff middleware."""

    def update_settings(self, settings: BaseSettings) -> None:
        settings["ITEM_PIPELINES"] = {**dict(settings.getdict("ITEM_PIPELINES")), "spiders.pipelines.StorePipeline": 300}
        settings["EXTENSIONS"] = {**dict(settings.getdict("EXTENSIONS")), "spiders.progress.ProgressExtension": 500,
                                  "spiders.watchdog.StallWatchdog": 510}
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] = None
        middlewares["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] = None
        middlewares["spiders.middlewares.GuardedRedirectMiddleware"] = 600
        # The catalogue's allowed hosts are enforced by the spider (off-site = link check only); no auth.
        middlewares["scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"] = None
        middlewares["scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware"] = None
        middlewares["spiders.middlewares.BackoffRetryMiddleware"] = 550
        # Before RobotsTxtMiddleware (100) and HttpProxyMiddleware (750): robots.txt goes the same way.
        middlewares["spiders.middlewares.ExplicitProxyMiddleware"] = 50
        # Before robots.txt (100): a refused host has its robots.txt refused too, and nothing is sent.
        middlewares["spiders.gate.GateMiddleware"] = 40
        # robots.txt bounded in size and rules, parsed off the event loop (spiders/robots.py).
        middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] = None
        middlewares["spiders.robots.BoundedRobotsTxtMiddleware"] = 100
        settings["DOWNLOADER_MIDDLEWARES"] = middlewares
