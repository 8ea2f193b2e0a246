"""A CCC meeting as its members live it: proposals, consensus, flags, sign-off, the semiannual
meeting and the resident's acknowledgement; nothing signed is changed, every write is audited."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from rounds.core.models import AuditEntry
from rounds.milestones import selectors
from rounds.milestones.models import ConsensusRating, ReviewComment, TraineeReview
from rounds.milestones.selectors import export_rows, meeting_list
from tests.milestones_setup import DURING, SmallCommittee, agree_all, build_committee
from tests.people import SmallInstitution


@pytest.fixture
def ccc(small: SmallInstitution, settings) -> SmallCommittee:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = DURING
    return build_committee(small)


def resident_url(ccc: SmallCommittee, trainee) -> str:  # type: ignore[no-untyped-def]
    return reverse("milestones:resident", args=[ccc.review.pk, trainee.pk])


def test_a_member_proposes_and_the_committee_agrees_on_the_resident_page(
    small: SmallInstitution, ccc: SmallCommittee, client_as
) -> None:  # type: ignore[no-untyped-def]
    member = client_as("faculty")
    pc1, mk1 = ccc.subs[0], next(s for s in ccc.subs if s.code == "MK1")
    url = resident_url(ccc, small.ana)
    member.post(url + "propose/", {f"propose_{pc1.pk}": "3", f"propose_{mk1.pk}": "NYA"})
    page = member.get(url).content.decode()
    assert "Tester: <b>3</b>" in page and "Tester: <b>NYA</b>" in page
    member.post(url + "consensus/", {f"agree_{pc1.pk}": "2.5", f"seen_{pc1.pk}": ""})
    assert ConsensusRating.objects.get(trainee=small.ana, review=ccc.review).level == Decimal("2.5")
    page = member.get(url).content.decode()
    assert "consensus on 1 of 20 subcompetencies" in page
    # the trend: the signed 2025-2026-2 level, then this period's consensus
    assert "2 → <b>2.5</b>" in page


def test_a_level_off_the_scale_is_refused_and_nothing_is_written(
    small: SmallInstitution, ccc: SmallCommittee, client_as
) -> None:  # type: ignore[no-untyped-def]
    pc1 = ccc.subs[0]
    response = client_as("faculty").post(
        resident_url(ccc, small.ana) + "consensus/", {f"agree_{pc1.pk}": "6"}, follow=True
    )
    assert "PC1: &#x27;6&#x27; is not a milestone level" in response.content.decode()
    assert not ConsensusRating.objects.filter(review=ccc.review).exists()


def test_two_members_recording_at_once_do_not_silently_overwrite(
    small: SmallInstitution, ccc: SmallCommittee, client_as
) -> None:  # type: ignore[no-untyped-def]
    pc1 = ccc.subs[0]
    url = resident_url(ccc, small.ana) + "consensus/"
    client_as("faculty").post(url, {f"agree_{pc1.pk}": "3", f"seen_{pc1.pk}": ""})
    late = client_as("pd.im").post(url, {f"agree_{pc1.pk}": "2", f"seen_{pc1.pk}": ""}, follow=True)
    assert "Someone recorded the consensus on PC1 while you were editing" in late.content.decode()
    assert [r.level for r in ConsensusRating.objects.filter(review=ccc.review)] == [Decimal("3")]


def test_residents_not_progressing_come_first(small: SmallInstitution, ccc: SmallCommittee) -> None:
    pd = small.users["pd.im"]
    agree_all(ccc.review, small.ben, Decimal("1.5"), pd)  # PGY-1: on track
    agree_all(ccc.review, small.ana, Decimal("2"), pd)  # PGY-2 at 2: no rise since 2025-2026-2
    rows = meeting_list(ccc.review)
    assert [r.trainee for r in rows] == [small.ana, small.ben]
    assert [f.kind for f in rows[0].flags] == ["stalled"]
    assert not rows[1].flags
    agree_all(ccc.review, small.ben, Decimal("0.5") + Decimal("0.5"), pd)  # 1.0 is the year-1 floor
    assert not meeting_list(ccc.review)[1].flags


def test_sign_off_needs_every_level_then_makes_them_read_only(
    small: SmallInstitution, ccc: SmallCommittee, client_as
) -> None:  # type: ignore[no-untyped-def]
    pd = client_as("pd.im")
    sign = reverse("milestones:sign_off", args=[ccc.review.pk])
    refused = pd.post(sign, follow=True).content.decode()
    assert "2 resident(s) still lack a consensus" in refused
    agree_all(ccc.review, small.ana, Decimal("2.5"), small.users["pd.im"])
    agree_all(ccc.review, small.ben, None, small.users["pd.im"])  # not yet assessable counts
    pd.post(sign)
    ccc.review.refresh_from_db()
    assert ccc.review.is_signed_off
    pc1 = ccc.subs[0]
    late = client_as("faculty").post(
        resident_url(ccc, small.ana) + "consensus/", {f"agree_{pc1.pk}": "4"}, follow=True
    )
    assert "levels are read-only" in late.content.decode()
    # a correction is a new row with its reason; the signed one stays
    reason = "Late evaluation from the ICU block"
    correction = {"subcompetency": pc1.pk, "level": "3", "reason": reason}
    pd.post(resident_url(ccc, small.ana) + "correct/", correction)
    rows = ConsensusRating.objects.filter(review=ccc.review, trainee=small.ana, subcompetency=pc1)
    assert [(r.level, r.correction_reason) for r in rows] == [
        (Decimal("2.5"), ""), (Decimal("3"), reason)
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="ccc.correct").count() == 1
    rows_out = {(r[0], r[3]): r[4] for r in export_rows(ccc.review)}
    assert rows_out[(small.ana.pk, "PC1")] == "3" and rows_out[(small.ben.pk, "PC1")] == "NYA"


def test_the_resident_sees_only_signed_results_meets_acknowledges_and_comments(
    small: SmallInstitution, ccc: SmallCommittee, client_as
) -> None:  # type: ignore[no-untyped-def]
    resident = client_as("resident")
    pd_user = small.users["pd.im"]
    agree_all(ccc.review, small.ana, Decimal("3"), pd_user)
    agree_all(ccc.review, small.ben, Decimal("1.5"), pd_user)
    mine = reverse("milestones:mine")
    page = resident.get(mine).content.decode()
    assert "Second half of 2025–2026" in page and "First half of 2026–2027" not in page
    client_as("pd.im").post(reverse("milestones:sign_off", args=[ccc.review.pk]))
    client_as("pd.im").post(
        resident_url(ccc, small.ana) + "meeting/",
        {"met_on": DURING, "note": "Ready to lead a team."},
    )
    tr = TraineeReview.objects.get(review=ccc.review, trainee=small.ana)
    page = resident.get(mine).content.decode()
    assert "First half of 2026–2027" in page and "Ready to lead a team." in page
    resident.post(
        reverse("milestones:acknowledge", args=[tr.pk]), {"comment": "I would like more ICU time."}
    )
    resident.post(
        reverse("milestones:acknowledge", args=[tr.pk]), {"comment": "And a night float block."}
    )
    tr.refresh_from_db()
    assert tr.acknowledged_at is not None
    assert [c.author_role for c in ReviewComment.objects.filter(trainee_review=tr)] == [
        "Program director", "Resident", "Resident"
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="ccc.acknowledge").count() == 1
    assert AuditEntry.objects.filter(action="ccc.comment").count() == 2
    # someone else's result is not theirs to acknowledge
    other = client_as("resident2").post(reverse("milestones:acknowledge", args=[tr.pk]))
    assert other.status_code == 404


def test_the_export_button_lists_every_resident_and_subcompetency(
    small: SmallInstitution, ccc: SmallCommittee, client_as
) -> None:  # type: ignore[no-untyped-def]
    response = client_as("coord.im").get(reverse("milestones:export", args=[ccc.review.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["trainee_id", "name", "pgy", "subcompetency", "level"]
    assert len(rows) == 1 + 2 * 20
    assert {(r[1], r[2]) for r in rows[1:]} == {("Alvarez, Ana", "2"), ("Baker, Ben", "1")}


def test_appointing_members_is_the_directors_and_only_among_faculty(
    small: SmallInstitution, ccc: SmallCommittee, client_as
) -> None:  # type: ignore[no-untyped-def]
    from rounds.people.models import Person

    program = reverse("milestones:program", args=[small.im.slug])
    staff = Person.objects.get(user=small.users["coord.im"])
    response = client_as("pd.im").post(program + "appoint/", {"person": staff.pk}, follow=True)
    assert "is not faculty" in response.content.decode()
    assert client_as("coord.im").post(program + "appoint/", {"person": staff.pk}).status_code == 404
    client_as("pd.im").post(reverse("milestones:end_seat", args=[ccc.seat.pk]))
    ccc.seat.refresh_from_db()
    assert ccc.seat.ended_on is not None
    assert client_as("faculty").get(resident_url(ccc, small.ana)).status_code == 404
    assert Client().get(program).status_code == 302


@dataclass(frozen=True)
class FakeRating:
    """Shaped like rounds.assessment.evidence.MilestoneRating (the evaluations app)."""

    subcompetency_id: int
    level: Decimal | None
    date: date
    evaluator_kind: str
    evaluator_name: str
    comments: str


def test_evaluation_ratings_show_as_median_trend_and_comments_and_drive_the_flags(
    small: SmallInstitution, ccc: SmallCommittee, client_as, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    pc1, pc2 = ccc.subs[0], ccc.subs[1]
    said = "Ran the team well overnight."
    ratings = [
        FakeRating(pc1.pk, Decimal("1.5"), date(2026, 9, 3), "faculty_of_trainee", "Dr Ward", said),
        FakeRating(pc2.pk, Decimal("1.5"), date(2026, 9, 3), "faculty_of_trainee", "Dr Ward", said),
        FakeRating(pc1.pk, Decimal("2"), date(2026, 10, 9), "nurse", "anonymous", ""),
        FakeRating(pc1.pk, None, date(2026, 11, 1), "peer", "anonymous", ""),
    ]

    def evidence(trainee, start, end):  # type: ignore[no-untyped-def]
        assert (start, end) == (date(2026, 7, 1), date(2026, 12, 31))
        return [r for r in ratings if trainee == small.ana]

    monkeypatch.setattr(selectors.apps, "is_installed", lambda name: True)
    monkeypatch.setitem(
        sys.modules, "rounds.assessment.evidence", SimpleNamespace(milestone_ratings=evidence)
    )
    page = client_as("faculty").get(resident_url(ccc, small.ana)).content.decode()
    assert "2 → <b>1.5?</b>" in page  # the median of 1.5 and 2, rounded down to the scale
    assert '<span class="ms-level">1.5</span> <span class="muted">(3)</span>' in page
    assert page.count(said) == 1 and "Faculty of trainee · Dr Ward" in page
    # Ana (PGY-2) rated 1.5 on PC1 and PC2 by evaluations, with no consensus yet: below 2
    flags = meeting_list(ccc.review)[0].flags
    assert meeting_list(ccc.review)[0].trainee == small.ana
    assert "Below level 2 (year 2) on PC1, PC2" in [f.text for f in flags]
