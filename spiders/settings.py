"""Every crawl setting in one place, documented: the Scrapy project settings of `scrapy.cfg`.

`scrapy crawl catalogue -s XXGK_SITE=ustb` (this module, through `scrapy.cfg`) and `auditor crawl/run`
(through `crawl_settings`) share these, and the same add-on; the catalogue's `policy:` then sets the
politeness and bounds of one site (`policy_settings`, applied by the spider's `update_settings`).
Uppercase names are settings; Scrapy's are alphabetical, ours (`XXGK_*`) follow.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from scrapy.settings import BaseSettings, default_settings

from auditor import __version__
from checklist.loader import load_site
from checklist.model import CrawlPolicy, Site

BOT_NAME = "xxgk-auditor"
SPIDER_MODULES = ["spiders.catalogue"]

# Our components, as an add-on (spiders/addon.py), so `scrapy crawl catalogue` gets them too.
ADDONS = {"spiders.addon.XxgkAddon": 0}
# One bundled item per response (spiders.catalogue.Evidence): more item slots only cost a task each.
CONCURRENT_ITEMS = 1
CONCURRENT_REQUESTS = 16
# Cookies would let a WAF track us and make nights differ; disclosure pages need none.
COOKIES_ENABLED = False
# We deduplicate URLs ourselves before they become Requests (cheaper than fingerprinting each).
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"
# Scrapy's HTTP/1.1 handler, connecting straight to a host's one address: a refused connection is reported
# when the kernel refuses it, not at Twisted's next 0.3 s happy-eyeballs tick (spiders/download.py).
DOWNLOAD_HANDLERS = {"http": "spiders.download.DownloadHandler", "https": "spiders.download.DownloadHandler"}
DOWNLOAD_WARNSIZE = 0
# Without the cookies middleware, which is off (see EXTENSIONS_BASE below: it would load tldextract).
DOWNLOADER_MIDDLEWARES_BASE = {k: v for k, v in default_settings.DOWNLOADER_MIDDLEWARES_BASE.items()
                               if k != "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"}
# DownloaderStats stays on: the run keeps its request count (`downloader_request_count`), which the nights'
# tests and the bench compare; turning it off measured as noise (bench/README.md).
# No feed export (the store pipeline records), no periodic log lines or memory polls in an unattended job.
EXTENSIONS = {
    "scrapy.extensions.feedexport.FeedExporter": None,
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.memusage.MemoryUsage": None,
}
# A component that is off is still imported: Scrapy imports every entry of its component dicts (ours above
# too, set to None or not) before the component can say it is not configured. Left out of the base dicts,
# the remote control (REMOTE_CONTROL_ENABLED off) no longer loads aiohttp into the crawl process, the
# cookies middleware (COOKIES_ENABLED off) tldextract and requests, the telnet console (off) Twisted's
# conch: 12 MB of the crawl process's memory (bench/README.md, "Issue 13, memory"). To turn one of the three
# on, name it in EXTENSIONS or DOWNLOADER_MIDDLEWARES as well as setting its *_ENABLED.
EXTENSIONS_BASE = {k: v for k, v in default_settings.EXTENSIONS_BASE.items()
                   if k not in ("scrapy.extensions.remote_control.RemoteControl",
                                "scrapy.extensions.telnet.TelnetConsole")}
# Non-2xx answers are evidence (404 = missing column), not errors; redirects still work with this.
HTTPERROR_ALLOW_ALL = True
LOG_LEVEL = "WARNING"
METAREFRESH_ENABLED = True
REDIRECT_MAX_TIMES = 8
REMOTE_CONTROL_ENABLED = False
# Depth and off-site bounds are the spider's own (per item, per role); Scrapy's copies only cost time.
# (RefererMiddleware stays: redirect handling expects it, and site admins read the Referer.)
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
# Our records say what failed; Scrapy's own give-up message would only repeat it.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Responses waiting for the readers (spiders/workers.py) before Scrapy starts new requests. Scrapy's 5 MB
# let ~2,000 small pages queue for one reader, each with its request, deferreds and async generators:
# 100 KB cut the crawl's CPU by about a sixth and its peak memory by 70 MB (bench/README.md); the downloads
# still keep the reader busy. A response larger than this is still read; it only holds the next requests back.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 100_000
ROBOTSTXT_OBEY = True  # the catalogue's policy may say otherwise, never a default
TELNETCONSOLE_ENABLED = False
# Every name we connect to is checked after resolution (spiders/resolver.py: no DNS rebinding).
TWISTED_DNS_RESOLVER = "spiders.resolver.GatedResolver"

#: The catalogue to crawl: a shipped id (`ustb`) or the path of a catalogue YAML file.
XXGK_SITE = ""
#: Every catalogue crawled in this process (`auditor run --site A --site B`): the reactor's one DNS resolver
#: gates each name by them all (empty: by `XXGK_SITE` alone).
XXGK_SITES: list[str] = []
#: The SQLite history file the run is stored in.
XXGK_DB = "xxgk-audit.sqlite"
#: The run to record into; 0: the spider begins a run itself and finishes it when it closes.
XXGK_RUN_ID = 0
#: Only these 清单 items (a list of numbers, or "6,19-21"); empty: every item of the catalogue.
XXGK_ITEMS: list[int] = []
#: Send every request, robots.txt included, through this HTTP proxy ("" = http_proxy/no_proxy as usual).
XXGK_PROXY = ""
#: Worker processes that read pages and files off the crawl's event loop (0 = one per spare core).
XXGK_WORKERS = 0
#: The catalogue's delay and per-host cap (False: none, for loopback tests and benchmarks).
XXGK_POLITE = True
#: Ignore robots.txt although the catalogue's policy obeys it (the operator's explicit choice).
XXGK_IGNORE_ROBOTS = False
#: The operator's contact, added to the User-Agent so a site's admin can reach us.
XXGK_CONTACT = ""
#: Fetch every URL: carry nothing forward from earlier nights (`--full`).
XXGK_FULL = False
#: Verify each carried URL at least once in this many nights (0: the catalogue's policy.rotation_nights).
XXGK_ROTATION_NIGHTS = 0
#: A crawl that makes no progress for this long is ended as stalled (interrupted); the policy sets it.
XXGK_STALL_SECONDS = 600.0
#: How long a stalled crawl may take to close before the process ends itself (0: min(30 s, the stall)).
XXGK_STALL_GRACE_SECONDS = 0.0


@lru_cache(maxsize=256)
def load_catalogue(ref: str) -> Site:
    """The catalogue `XXGK_SITE` names, loaded once per process (the spider, the gate and the resolver
    all judge by it)."""
    return load_site(ref)


def site_of(settings: BaseSettings) -> Site | None:
    """The catalogue of this crawl, or None when `XXGK_SITE` is not set."""
    ref = settings.get("XXGK_SITE") or ""
    return load_catalogue(ref) if ref else None


def sites_of(settings: BaseSettings) -> list[Site]:
    """Every catalogue crawled in this process: `XXGK_SITES`, else the one `XXGK_SITE` names."""
    refs = settings.getlist("XXGK_SITES") or ([settings.get("XXGK_SITE")] if settings.get("XXGK_SITE") else [])
    return [load_catalogue(ref) for ref in refs]


def user_agent(template: str, contact: str = "") -> str:
    """`xxgk-auditor/<version> (+<operator contact>)`: who we are and how a site's admin reaches us."""
    agent = template.replace("{version}", __version__)
    # HTTP headers are Latin-1 and a line break would start a header of its own: printable ASCII only.
    contact = "".join(c for c in contact if " " <= c <= "~").strip()
    return f"{agent} (+{contact})" if contact else agent


def policy_settings(policy: CrawlPolicy, *, polite: bool = True) -> dict[str, Any]:
    """The settings one catalogue's `policy:` decides. `polite=False` (benchmarks, loopback tests) drops
    the delay and the per-host cap, never robots.txt, which the policy alone decides."""
    return {
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": policy.concurrency_per_host if polite else 16,
        "DOWNLOAD_DELAY": policy.delay_seconds if polite else 0,
        "DOWNLOAD_MAXSIZE": policy.max_download_bytes,
        "DOWNLOAD_TIMEOUT": policy.timeout_seconds,
        # Forged evidence must not reach a verdict: certificates are verified unless the catalogue opts
        # out for a campus site with a broken chain (reported as the site's problem).
        "DOWNLOAD_VERIFY_CERTIFICATES": policy.verify_tls,
        "RANDOMIZE_DOWNLOAD_DELAY": True,
        "RETRY_TIMES": policy.retries,
        "ROBOTSTXT_OBEY": policy.obey_robots,
        "USER_AGENT": user_agent(policy.user_agent),
        "XXGK_STALL_SECONDS": policy.stall_seconds,
    }


#: This module's settings, for a crawl started from Python rather than from `scrapy.cfg`.
BASE_SETTINGS: dict[str, Any] = {k: v for k, v in dict(globals()).items() if k.isupper() and k != "BASE_SETTINGS"}


def crawl_settings(policy: CrawlPolicy, *, polite: bool = True) -> dict[str, Any]:
    """Scrapy settings for one site's crawl: ours, then the site's policy."""
    return {**BASE_SETTINGS, **policy_settings(policy, polite=polite)}
