"""A small institution's CCC: the shipped milestone files, the "faculty" user on the Internal
Medicine committee, a signed-off review for 2025-2026-2 and an open one for 2026-2027-1."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command

from rounds.lib.today import today_is
from rounds.milestones import services
from rounds.milestones.models import CommitteeMember, CommitteeReview, Subcompetency
from rounds.milestones.periods import period_parse
from rounds.milestones.selectors import set_subcompetencies
from rounds.people.models import Person
from tests.people import SmallInstitution

DATA = Path(__file__).resolve().parent.parent / "rounds" / "milestones" / "data"
DURING = "2026-12-20"  # the first half's meeting, a day tests pin "today" to


@dataclass
class SmallCommittee:
    seat: CommitteeMember
    earlier: CommitteeReview  # 2025-2026-2, signed off (Ana only: Ben started in July 2026)
    review: CommitteeReview  # 2026-2027-1, open
    subs: list[Subcompetency]


def load_sets() -> None:
    call_command(
        "load_milestones", str(DATA / "harmonized.json"), str(DATA / "internal-medicine.json")
    )


def agree_all(review: CommitteeReview, trainee, level: Decimal | None, by) -> None:  # type: ignore[no-untyped-def]
    subs = set_subcompetencies(review.milestone_set)
    services.consensus_save(
        review=review, trainee=trainee, levels=dict.fromkeys(subs, level), seen={}, by=by
    )


def build_committee(small: SmallInstitution) -> SmallCommittee:
    load_sets()
    pd = small.users["pd.im"]
    faculty = Person.objects.get(user=small.users["faculty"])
    with today_is(period_parse("2026-2027-1").start.replace(day=20, month=12)):
        seat = services.member_appoint(program=small.im, person=faculty, by=pd, is_chair=True)
        earlier = services.review_open(program=small.im, period=period_parse("2025-2026-2"), by=pd)
        agree_all(earlier, small.ana, Decimal("2"), pd)
        earlier = services.review_sign_off(review=earlier, by=pd)
        review = services.review_open(program=small.im, period=period_parse("2026-2027-1"), by=pd)
    return SmallCommittee(seat, earlier, review, set_subcompetencies(review.milestone_set))
