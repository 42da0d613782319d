"""xxgk-auditor: nightly audit of a university's information-disclosure site against the MOE 清单.

The library behind the `auditor` command: records (`auditor.models`), the store (`auditor.store`), the rule
engine (`auditor.rules`, `auditor.evaluate`) and the judged result (`auditor.results`).
"""

__version__ = "0.1.0"
