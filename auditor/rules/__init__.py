"""The rule set: every rule, in the order findings are listed for an item.

One module per kind (presence, freshness, content, links, privacy), each exporting `RULES`, and the rules
that compare nights (`nightly`), judged last. The order
is part of the contract: the same evidence and as-of date give the same findings in the same order.
"""

from __future__ import annotations

from auditor.rules import content, freshness, links, nightly, presence, privacy
from auditor.rules.base import Rule, RuleContext

#: Bump when a rule changes what it judges, so stored findings say which rules produced them.
RULES_VERSION = "3"  # 2: the rules that compare nights, and the site's own requirements; 3: 单项否决

ALL_RULES: tuple[Rule, ...] = (
    presence.RULES + freshness.RULES + content.RULES + links.RULES + privacy.RULES + nightly.RULES
)


#: Every rule that can appear in findings, with its explanation for the scorecard.
EXPLAINED_RULES: tuple[Rule, ...] = (presence.DECLARED_ABSENCE, presence.SITE_OUTAGE, *ALL_RULES)


def rule_by_id(rule_id: str) -> Rule:
    for rule in EXPLAINED_RULES:
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


__all__ = ["ALL_RULES", "EXPLAINED_RULES", "RULES_VERSION", "Rule", "RuleContext", "rule_by_id"]
