"""Demo leave and board eligibility: the shipped boards loaded, a leave policy for the programs
of five specialties pointing to their board, one Internal Medicine senior whose parental leave
goes two weeks past the ABIM allowance (the extension waits for the coordinator's confirmation),
one resident on remediation, and letters that state remediation (the demo's policy)."""

from __future__ import annotations

from datetime import timedelta

from rounds.core.models import Program
from rounds.leave.loader import board_file_parse
from rounds.leave.management.commands.load_boards import SHIPPED
from rounds.leave.models import (
    Board,
    LeaveExtension,
    LeavePolicy,
    LetterPolicy,
    Remediation,
)
from rounds.leave.selectors import standings
from rounds.leave.services import boards_load
from rounds.lib import today as clock
from rounds.people.training import trainees_in_training

IM = "Internal Medicine Residency"
BOARD_OF_SPECIALTY = {
    "Internal Medicine": "abim",
    "Pediatrics": "abp",
    "Surgery": "abs",
    "Family Medicine": "abfm",
    "Diagnostic Radiology": "abr",
}
OVER_BY = 14  # days the demo senior's leave goes past the board's allowance


def demo_extend(*, seed: int) -> list[str]:
    boards_load(rules=board_file_parse(SHIPPED.read_text(encoding="utf-8")), source_name="demo")
    boards = {b.code: b for b in Board.objects.all()}
    policies = []
    for program in Program.objects.select_related("specialty__parent"):
        specialty = program.specialty.parent or program.specialty
        code = BOARD_OF_SPECIALTY.get(specialty.name)
        if code and program.specialty.parent is None:
            policies.append(
                LeavePolicy(program=program, board=boards[code], vacation_days=28, sick_days=14)
            )
    LeavePolicy.objects.bulk_create(policies)
    LetterPolicy.objects.create(state_remediation=True)
    lines = [f"leave: {len(boards)} boards; leave policies for {len(policies)} programs."]
    im = Program.objects.filter(name=IM).first()
    if im is not None:
        lines += _over_and_remediation(im)
    return lines


def _over_and_remediation(im: Program) -> list[str]:
    from rounds.workhours.models import Finding, LeaveSpan, LoggedPeriod

    today = clock.today()
    trainees = [
        t
        for t in trainees_in_training([im], today, today)
        if t.pgy == im.first_pgy + im.length_years - 2  # a PGY-2: a year and more to go
        and not t.training_events.all()
        and not (t.person.user and t.person.user.username == "resident")
    ]
    if len(trainees) < 2:
        return ["leave: too few Internal Medicine residents at this scale for the examples."]
    over, remediated = trainees[0], trainees[1]
    (standing,) = standings([over], today)
    assert standing.board is not None and standing.excess is not None
    allowance = standing.board.total_days(im.length_years)
    counted = allowance - standing.excess.away + OVER_BY
    # Parental leave ending before this month (whose call schedule the demo has just built
    # without knowing of it: a leave inside it would break the published month), long enough to
    # use the once-in-training six weeks and then go OVER_BY days past the allowance; logged
    # leave in that stretch makes way for it.
    days = standing.board.family_medical_days + counted
    back_at_work = today.replace(day=1)
    first = back_at_work - timedelta(days=days)
    LeaveSpan.objects.filter(trainee=over, start__lt=back_at_work, end__gte=first).delete()
    # Nobody works on parental leave: the demo's logged hours of those days go, and the
    # findings about them (the checker runs again when the trainee next logs).
    LoggedPeriod.objects.filter(
        trainee=over, start__date__gte=first, start__date__lt=back_at_work
    ).delete()
    Finding.objects.filter(trainee=over, starts_on__gte=first, starts_on__lt=back_at_work).delete()
    spans, start = [], first
    while start < back_at_work:  # the leave form takes 120 days at most; the demo does too
        end = min(start + timedelta(days=119), back_at_work - timedelta(days=1))
        spans.append(LeaveSpan(trainee=over, kind="parental", start=start, end=end))
        start = end + timedelta(days=1)
    LeaveSpan.objects.bulk_create(spans)
    (standing,) = standings([over], today)
    Remediation.objects.create(
        trainee=remediated, kind=Remediation.Kind.REMEDIATION,
        start=today - timedelta(days=60), outcome=Remediation.Outcome.ONGOING,
    )  # fmt: skip
    return [
        f"leave: {over.person.full_name} ({IM}) is {standing.days_to_add} days past the ABIM "
        f"allowance after parental leave; the extension to {standing.new_end:%b %-d, %Y} waits "
        "for coord.im (Training record → Leave and board eligibility).",
        f"leave: {remediated.person.full_name} is on remediation since "
        f"{today - timedelta(days=60):%b %-d, %Y}; letters state it (the demo's policy).",
    ]


def demo_wipe() -> None:
    Remediation.objects.all().delete()
    LeaveExtension.objects.all().delete()
    LeavePolicy.objects.all().delete()
    LetterPolicy.objects.all().delete()
    Board.objects.all().delete()
