"""What a finding's severity means for counting: errors and warnings need action, information is only to know."""

from __future__ import annotations

from jointlead.domain.findings import Severity


def test_errors_and_warnings_need_action_and_information_does_not():
    assert [s for s in Severity if s.needs_action] == [Severity.ERROR, Severity.WARNING]
    assert not Severity.INFORMATION.needs_action
