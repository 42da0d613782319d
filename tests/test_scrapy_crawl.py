"""`scrapy crawl catalogue` works on its own, as Scrapy means it: the spider is built from settings
(`XXGK_SITE`, `XXGK_DB`, …, declared in spiders/settings.py through scrapy.cfg), begins and finishes its
own run in the history, and `auditor evaluate` judges that run like any other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from auditor.models import PageRole, RunState
from auditor.store import Store
from samplesite.server import SampleSiteServer

ROOT = Path(__file__).resolve().parents[1]


def test_scrapy_crawl_stores_a_run_that_auditor_evaluates(tmp_path: Path) -> None:
    db = tmp_path / "audit.sqlite"
    env = {**os.environ, "XXGK_CONFIG": "", "PYTHONPATH": str(ROOT)}
    with SampleSiteServer() as server:
        crawl = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "catalogue", "-s", "XXGK_SITE=ustb", "-s", f"XXGK_DB={db}",
             "-s", f"XXGK_PROXY={server.proxy_url}", "-s", "XXGK_POLITE=False", "-s", "XXGK_ITEMS=1,2,6"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    with Store(db) as store:
        runs = store.runs("ustb")
        assert len(runs) == 1 and runs[0].state is RunState.COMPLETE, runs
        catalogue = {p.url for p in store.pages(runs[0].id) if p.role is PageRole.CATALOGUE}
    assert catalogue == {server.manifest.item(n).catalogue for n in (1, 2, 6)}

    out = tmp_path / "out"
    judged = subprocess.run(
        [sys.executable, "-m", "auditor", "evaluate", "--db", str(db), "--as-of", "2018-11-30", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert judged.returncode == 1, judged.stderr  # item 6's annual report is planted overdue
    items = {it["item"]: it["status"] for it in json.loads((out / "findings.json").read_text("utf-8"))["items"]}
    assert items[1] == "pass" and items[2] == "pass" and items[6] == "fail"


def test_scrapy_crawl_without_a_site_says_which_setting_is_missing(tmp_path: Path) -> None:
    ran = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "catalogue", "-s", f"XXGK_DB={tmp_path / 'a.db'}"],
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=60, check=False)
    assert ran.returncode != 0
    assert "XXGK_SITE" in ran.stderr


def test_the_components_that_are_off_are_not_even_imported() -> None:
    # Scrapy imports every component its dicts name before the component says it is not configured: the
    # remote control alone would load aiohttp into the crawl (spiders/settings.py). Loaded here as Scrapy's
    # managers load them, in a fresh interpreter.
    script = """
import json, sys
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
from spiders.addon import XxgkAddon
from spiders.settings import BASE_SETTINGS
settings = Settings(BASE_SETTINGS)
XxgkAddon().update_settings(settings)
for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES"):
    for path in build_component_list(settings.get_component_priority_dict_with_base(name)):
        load_object(path)
print(json.dumps({"loaded": sorted(m for m in ("aiohttp", "tldextract", "twisted.conch") if m in sys.modules),
                  "on": [n for n in ("COOKIES_ENABLED", "TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED")
                         if settings.getbool(n)]}))
"""
    ran = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=60, check=False)
    assert ran.returncode == 0, ran.stderr
    # Nothing that was on is gone: the three were off already.
    assert json.loads(ran.stdout) == {"loaded": [], "on": []}
