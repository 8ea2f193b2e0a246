"""The work-hours demo: plausible logs with a few violations, the same every time."""

from __future__ import annotations

from rounds.workhours.demo import demo_extend, demo_wipe
from rounds.workhours.models import Finding, LoggedPeriod, ViolationReview


def _snapshot() -> list[tuple[int, str, str, str]]:
    return list(
        LoggedPeriod.objects.order_by("trainee_id", "start").values_list(
            "trainee_id", "kind", "start", "end"
        )
    )


def test_demo_logs_have_violations_and_are_deterministic(small) -> None:
    lines = demo_extend(seed=7)
    assert any("Internal Medicine Residency residents" in line for line in lines)
    assert any("send_hour_reminders --program im" in line for line in lines)
    first = _snapshot()
    assert len(first) > 100
    assert {"clinical", "in_house_call"} <= {kind for _, kind, _, _ in first}
    violations = Finding.objects.filter(severity="violation")
    assert 1 <= violations.count() <= 10
    assert ViolationReview.objects.count() <= 1
    demo_extend(seed=7)
    assert _snapshot() == first
    demo_wipe()
    assert not LoggedPeriod.objects.exists() and not Finding.objects.exists()
