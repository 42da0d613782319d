"""A hand-built audit of a fictional copy of 北京科技大学's catalogue, for report previews and tests.

The renderers must be testable while the rule engine is still being written, and a reviewer must be able
to look at a dashboard without crawling anything; both need a realistic `AuditResult` of all 50 items
with real department names, which this module builds from a few arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time

from auditor.models import Finding, RuleKind, Run, RunState, Verdict
from auditor.results import AuditResult, ItemResult, department_results

CATEGORIES: dict[int, str] = {
    1: "基本信息", 2: "招生考试信息", 3: "财务、资产及收费信息", 4: "人事师资信息", 5: "教学质量信息",
    6: "学生管理服务信息", 7: "学风建设信息", 8: "学位、学科信息", 9: "对外交流与合作信息", 10: "其他",
}

# (number, category, short name, departments): the seed report's table, abridged.
ITEMS: tuple[tuple[int, int, str, tuple[str, ...]], ...] = (
    (1, 1, "办学基本情况", ("党办、校办",)), (2, 1, "章程及规章制度", ("党办、校办",)),
    (3, 1, "教代会制度与报告", ("工会",)), (4, 1, "学术委员会制度与年报", ("发展规划处",)),
    (5, 1, "发展规划与工作计划", ("党办、校办", "发展规划处")), (6, 1, "信息公开年度报告", ("党办、校办",)),
    (7, 2, "招生章程与计划", ("招生就业处",)), (8, 2, "特殊类型招生结果", ("招生就业处",)),
    (9, 2, "录取人数与最低分", ("招生就业处",)), (10, 2, "招生咨询与申诉", ("招生就业处",)),
    (11, 2, "研招简章与目录", ("研究生院",)), (12, 2, "研究生复试成绩", ("研究生院",)),
    (13, 2, "拟录取研究生名单", ("研究生院",)), (14, 2, "研招咨询与申诉", ("研究生院",)),
    (15, 3, "财务资产管理制度", ("财务处", "资产管理处")), (16, 3, "受捐赠财产使用", ("教育发展基金会",)),
    (17, 3, "校办企业资产负债", ("资产经营公司", "资产管理处")),
    (18, 3, "采购与招投标", ("资产管理处", "基建管理处", "后勤管理处")),
    (19, 3, "部门预算", ("财务处",)), (20, 3, "部门决算", ("财务处",)), (21, 3, "收费项目与投诉方式", ("财务处",)),
    (22, 4, "校领导社会兼职", ("组织部",)), (23, 4, "校领导因公出国", ("国际合作与交流处",)),
    (24, 4, "岗位设置与聘用办法", ("人事处",)), (25, 4, "中层任免与招聘", ("组织部", "人事处")),
    (26, 4, "教职工争议解决", ("工会",)), (27, 5, "本科生比例与师资", ("人事处", "教务处")),
    (28, 5, "专业设置与停招", ("教务处", "研究生院")), (29, 5, "课程与学分比例", ("教务处",)),
    (30, 5, "教授授课比例", ("教务处",)), (31, 5, "就业政策与服务", ("招生就业处",)),
    (32, 5, "毕业生规模与就业率", ("招生就业处",)), (33, 5, "就业质量年度报告", ("招生就业处",)),
    (34, 5, "艺术教育年度报告", ("团委",)), (35, 5, "本科教学质量报告", ("教务处",)),
    (36, 6, "学籍管理办法", ("教务处", "研究生院")), (37, 6, "奖助贷勤补规定", ("学生工作处（部）",)),
    (38, 6, "学生奖励处罚办法", ("学生工作处（部）", "团委")), (39, 6, "学生申诉办法", ("党办、校办",)),
    (40, 7, "学风建设机构", ("学生工作处（部）", "发展规划处")), (41, 7, "学术规范制度", ("发展规划处",)),
    (42, 7, "学术不端查处机制", ("发展规划处", "研究生院")), (43, 8, "学位授予基本要求", ("教务处", "研究生院")),
    (44, 8, "同等学力资格审查", ("研究生院",)), (45, 8, "新增学位点审核办法", ("研究生院",)),
    (46, 8, "新增学位点申报材料", ("研究生院",)), (47, 9, "中外合作办学", ("东凌经济管理学院",)),
    (48, 9, "来华留学生管理", ("国际学生中心",)), (49, 10, "巡视整改情况", ("党办、校办",)),
    (50, 10, "突发事件应急处置", ("保卫保密处", "资产管理处", "后勤管理处")),
)

BASE_URL = "http://xxgk.example.edu.cn/xinxigongkaimulu"

DEFAULT_MESSAGE: dict[Verdict, str] = {
    Verdict.PASS: "栏目可访问，内容齐全且在期限内更新。",
    Verdict.WARN: "栏目最新一条信息发布于 6 个月前，请确认是否有新信息需要公开。",
    Verdict.FAIL: "栏目为空白栏目：页面可访问，但没有任何条目或正文。",
    Verdict.INCONCLUSIVE: "网站连接超时，本项无法判定（不扣分）。",
}


def item_url(number: int) -> str:
    return f"{BASE_URL}/item{number:02d}/"


def make_run(run_id: int, as_of: date, state: RunState = RunState.COMPLETE, site: str = "ustb",
             note: str = "") -> Run:
    started = datetime.combine(as_of, time(1, 0), tzinfo=UTC)
    return Run(id=run_id, site=site, started_at=started, state=state, tool_version="0.1.0",
               checklist_version="qingdan-2014", catalogue_version="1", finished_at=started, as_of=as_of,
               note=note)


def make_finding(item: int, status: Verdict, message: str | None = None, url: str | None = None,
                 evidence: Mapping[str, str] | None = None, first_seen: tuple[int, date] | None = None,
                 kind: RuleKind = RuleKind.PRESENCE) -> Finding:
    return Finding(
        item=item, kind=kind, rule=f"{kind.value}.sample", status=status,
        message=DEFAULT_MESSAGE[status] if message is None else message,
        url=item_url(item) if url is None else url,
        evidence=dict(evidence) if evidence is not None else {"HTTP": "200"},
        first_seen_run=first_seen[0] if first_seen else None,
        first_seen_at=first_seen[1] if first_seen else None,
    )


def make_result(
    run_id: int,
    as_of: date,
    statuses: Mapping[int, Verdict] | None = None,
    *,
    state: RunState = RunState.COMPLETE,
    findings: Mapping[int, tuple[Finding, ...]] | None = None,
    titles: Mapping[int, str] | None = None,
    contacts: Mapping[str, str] | None = None,
    site: str = "ustb",
    site_name: str = "示例大学",
) -> AuditResult:
    """All 50 items, passing unless `statuses` or `findings` say otherwise.

    An unscored run (interrupted, inconclusive) turns every item without explicit findings inconclusive,
    which is what the engine does when the evidence is missing."""
    statuses = dict(statuses or {})
    findings = dict(findings or {})
    items = []
    for number, category, short, departments in ITEMS:
        default = Verdict.PASS if state is RunState.COMPLETE else Verdict.INCONCLUSIVE
        mine = findings.get(number) or (make_finding(number, statuses.get(number, default)),)
        worst_first = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.INCONCLUSIVE: 2, Verdict.PASS: 3}
        status = min((f.status for f in mine), key=lambda v: worst_first[v])
        items.append(
            ItemResult(
                item=number, title=(titles or {}).get(number, short), short_name=short, category=category,
                category_name=CATEGORIES[category], departments=departments, url=item_url(number),
                status=status, findings=mine,
            )
        )
    all_items = tuple(items)
    return AuditResult(
        site=site, site_name=site_name, run=make_run(run_id, as_of, state, site), as_of=as_of,
        checklist_version="qingdan-2014", items=all_items,
        departments=department_results(all_items, dict(contacts or {}), state is RunState.COMPLETE),
    )
