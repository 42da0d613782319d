"""`auditor demo --nights 3`: a newcomer sees what the nightly audit adds, on the bundled sample site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_three_nights_of_the_demo_show_a_back_dated_entry_and_a_list_taken_down_early(tmp_path: Path) -> None:
    env = {**os.environ, "XXGK_CONFIG": "", "COLUMNS": "200"}
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(name, None)
    out = tmp_path / "demo"
    proc = subprocess.run([sys.executable, "-m", "auditor", "demo", "--nights", "3", "--out", str(out)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "逐夜检查才能发现的问题" in proc.stdout
    assert "倒填日期" in proc.stdout and "实验室设备采购项目中标公示" in proc.stdout
    assert "未满公示期即从栏目中撤下" in proc.stdout
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert doc["as_of"] == "2018-11-30" and doc["rules_version"] == "3"
    by_item = {it["item"]: it for it in doc["items"]}
    backdated = next(f for f in by_item[18]["findings"] if f["rule"] == "freshness.backdated")
    assert backdated["status"] == "fail"
    assert (backdated["evidence"]["claimed"], backdated["evidence"]["absent_on"], backdated["evidence"]["first_seen"]) \
        == ("2018-10-15", "2018-11-29", "2018-11-30")
    removed = next(f for f in by_item[13]["findings"] if f["rule"] == "presence.kept-public")
    assert removed["status"] == "fail" and removed["evidence"]["nights"].splitlines() == ["2018-11-28", "2018-11-29"]
    # column 46 has answered 404 on all three nights: 单项否决 of its lead; the firewalled 47 is no one's fault
    gone = next(f for f in by_item[46]["findings"] if f["rule"] == "presence.column-gone")
    assert gone["status"] == "fail" and gone["veto"] is True and by_item[46]["veto"] is True
    lead = next(d for d in doc["departments"] if d["name"] == by_item[46]["departments"][0])
    assert lead["vetoed"] is True and 46 in lead["veto_items"] and doc["summary"]["vetoed"] is True
    assert not [f for f in by_item[47]["findings"] if f["rule"] == "presence.column-gone"]
    # the site's own findings are the owner's: on its own scorecard, and in the dashboard's own section
    assert doc["site_owner"]["name"] == "网站管理部门（待确认）"  # ustb.yaml: a placeholder, said as such
    assert all(doc["site_owner"]["name"] != d["name"] for d in doc["departments"])
    card = (out / "scorecards" / "00-网站管理部门（待确认）.html").read_text(encoding="utf-8")
    assert "site.blank-columns" in card or "空白栏目" in card
    assert "单项否决" in (out / "index.html").read_text(encoding="utf-8")
