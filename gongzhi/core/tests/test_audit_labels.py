"""The audit trail shows every action in the reader's language: each action code any app records
(audit.record("…") in the source, a workforce chief's steps) has a label, and each label has a
Chinese translation (issue 15: the trail showed nominated, vetted, allowance…)."""

import re
from pathlib import Path

from django.utils import translation

from gongzhi.core.models import OTHER_ACTIONS, AuditRecord

SOURCE = Path(__file__).resolve().parents[2]
RECORDED = re.compile(r'audit\.record\(\s*"([a-z_]+)"')


def _recorded_actions() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" not in path.parts:
            found |= set(RECORDED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_recorded_action_has_a_label():
    from gongzhi.workforce.models import ChiefEvent

    actions = _recorded_actions() | set(ChiefEvent.Action.values)
    assert len(actions) > 30
    unlabelled = actions - set(AuditRecord.Action.values) - set(OTHER_ACTIONS)
    assert not unlabelled, sorted(unlabelled)


def test_every_label_reads_chinese():
    with translation.override("zh-hans"):
        for code in {*AuditRecord.Action.values, *OTHER_ACTIONS}:
            label = AuditRecord(action=code).action_label
            assert re.search(r"[\u4e00-\u9fff]", label), (code, label)
