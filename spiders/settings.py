"""Every crawl setting in one place, documented, and derived from the catalogue's `CrawlPolicy`.

`scrapy crawl` (through the add-on) and `auditor crawl/run` (through `crawl_settings`) share these, so the
nightly job and a developer's ad-hoc crawl behave the same.
"""

from __future__ import annotations

from typing import Any

from auditor import __version__
from checklist.model import CrawlPolicy

#: Settings that do not depend on the site. Alphabetical.
BASE_SETTINGS: dict[str, Any] = {
    # Our components, as an add-on (spiders/addon.py), so `scrapy crawl catalogue` gets them too.
    "ADDONS": {"spiders.addon.XxgkAddon": 0},
    # One bundled item per response (spiders.catalogue.Evidence): more item slots only cost a task each.
    "CONCURRENT_ITEMS": 1,
    "CONCURRENT_REQUESTS": 16,
    # Cookies would let a WAF track us and make nights differ; disclosure pages need none.
    "COOKIES_ENABLED": False,
    # We deduplicate URLs ourselves before they become Requests (cheaper than fingerprinting each).
    "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
    "DOWNLOAD_WARNSIZE": 0,
    # Non-2xx answers are evidence (404 = missing column), not errors; redirects still work with this.
    "HTTPERROR_ALLOW_ALL": True,
    "LOG_LEVEL": "WARNING",
    "METAREFRESH_ENABLED": True,
    "REDIRECT_MAX_TIMES": 8,
    "REMOTE_CONTROL_ENABLED": False,
    # Depth and off-site bounds are the spider's own (per item, per role); Scrapy's copies only cost time.
    # (RefererMiddleware stays: redirect handling expects it, and site admins read the Referer.)
    "SPIDER_MIDDLEWARES": {
        "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
        "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    },
    # Our records say what failed; Scrapy's own give-up message would only repeat it.
    "RETRY_GIVE_UP_LOG_LEVEL": "DEBUG",
    "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
    "TELNETCONSOLE_ENABLED": False,
    # Every name we connect to is checked after resolution (spiders/resolver.py: no DNS rebinding).
    "TWISTED_DNS_RESOLVER": "spiders.resolver.GatedResolver",
}


def user_agent(template: str, contact: str = "") -> str:
    """`xxgk-auditor/<version> (+<operator contact>)`: who we are and how a site's admin reaches us."""
    agent = template.replace("{version}", __version__)
    # HTTP headers are Latin-1 and a line break would start a header of its own: printable ASCII only.
    contact = "".join(c for c in contact if " " <= c <= "~").strip()
    return f"{agent} (+{contact})" if contact else agent


def crawl_settings(policy: CrawlPolicy, *, polite: bool = True) -> dict[str, Any]:
    """Scrapy settings for one site's crawl. `polite=False` (benchmarks, loopback tests) drops the delay
    and the per-host cap, never robots.txt, which the policy alone decides."""
    settings = dict(BASE_SETTINGS)
    settings.update(
        {
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": policy.concurrency_per_host if polite else 16,
            "DOWNLOAD_DELAY": policy.delay_seconds if polite else 0,
            "DOWNLOAD_MAXSIZE": policy.max_download_bytes,
            "DOWNLOAD_TIMEOUT": policy.timeout_seconds,
            # Forged evidence must not reach a verdict: certificates are verified unless the catalogue
            # opts out for a campus site with a broken chain (reported as the site's problem).
            "DOWNLOAD_VERIFY_CERTIFICATES": policy.verify_tls,
            "RANDOMIZE_DOWNLOAD_DELAY": True,
            "RETRY_TIMES": policy.retries,
            "ROBOTSTXT_OBEY": policy.obey_robots,
            "USER_AGENT": user_agent(policy.user_agent),
            "XXGK_STALL_SECONDS": policy.stall_seconds,
        }
    )
    return settings
