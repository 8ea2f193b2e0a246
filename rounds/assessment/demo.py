"""Demo evaluations: attendings for every rotation the demo programs use, a form set per program,
requests generated from the published schedules as the daily job would have made them up to
today, and answers for about two thirds of those sent (a realistic completion rate).

Answers are written in bulk (checked by the same `answers_check` the pages use): thousands of
submits one by one would make the demo slow to load for no gain in realism.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from rounds.assessment.forms_service import form_create, item_add, version_publish
from rounds.assessment.generate import requests_generate
from rounds.assessment.models import (
    Answer,
    Evaluation,
    EvaluationForm,
    EvaluationRequest,
    EvaluatorKind,
    FormItem,
    OneTimeLink,
    ProgramEvaluationSettings,
    RequestSource,
    TeachingAssignment,
)
from rounds.assessment.services import answers_check, requests_expire
from rounds.assessment.teaching import rotations_of
from rounds.core.models import Program
from rounds.lib.today import academic_year_of, today
from rounds.people.models import Faculty
from rounds.schedules.models import Block, RotationSchedule

K = EvaluatorKind
DEMO_PROGRAMS = ("Internal Medicine Residency", "Emergency Medicine Residency", "Surgery Residency")
COMPLETION = 0.68  # of requests sent at least a few days ago
COMMENTS = [
    "Presents clearly and owns the plan; keep reading around each admission.",
    "Calm with families and nurses under pressure. Work on closing the loop on consults.",
    "Strong differential diagnoses. Notes could be more concise.",
    "Reliable, kind, and asks for help at the right time.",
    "Efficient on call; sign-outs are thorough and anticipate overnight problems.",
    "",
    "",
]
FACULTY_COMMENTS = ["Great teacher at the bedside.", "Made time for questions.", ""]


def demo_wipe() -> None:
    Answer.objects.all().delete()
    Evaluation.objects.all().delete()
    OneTimeLink.objects.all().delete()
    RequestSource.objects.all().delete()
    EvaluationRequest.objects.all().delete()
    EvaluationForm.objects.all().delete()
    TeachingAssignment.objects.all().delete()
    ProgramEvaluationSettings.objects.all().delete()


def demo_extend(*, seed: int) -> list[str]:
    rng = random.Random(seed)
    programs = list(
        Program.objects.filter(
            name__in=DEMO_PROGRAMS, rotation_schedules__status=RotationSchedule.Status.PUBLISHED
        ).distinct()
    )
    if not programs:
        return ["assessment: no published schedules, so no evaluations"]
    day = today()
    with transaction.atomic():
        spans = teaching_for(programs, rng)
        forms = sum(len(form_set(program)) for program in programs)
    made = generate_until(day, [p.pk for p in programs])
    answered, sent = answer_some(rng, day)
    expired = requests_expire(day=day)
    rate = f"{100 * answered / sent:.0f}%" if sent else "—"
    return [
        f"assessment: {spans} attending spans, {forms} forms, {made} requests generated from the "
        f"schedules, {answered} answered of {sent} sent before this week ({rate}), "
        f"{expired} expired"
    ]


def teaching_for(programs: Iterable[Program], rng: random.Random) -> int:
    """Each rotation a program uses gets two of the program's faculty per block, half a block
    each; a rotation shared by several programs is staffed once, by the first program."""
    rows: list[TeachingAssignment] = []
    staffed: set[int] = set()
    for program in programs:
        faculty = list(Faculty.objects.filter(primary_program=program).order_by("pk"))
        if not faculty:
            continue
        blocks = Block.objects.filter(program=program, academic_year=academic_year_of(today()))
        for rotation in rotations_of(program):
            if rotation.pk in staffed:
                continue
            staffed.add(rotation.pk)
            for block in blocks:
                first_half, second_half = block.half_range(1), block.half_range(2)
                for first, last in (first_half, second_half):
                    rows.append(
                        TeachingAssignment(
                            program=program,
                            faculty=rng.choice(faculty),
                            rotation=rotation,
                            first_day=first,
                            last_day=last,
                        )
                    )
    _demo_account_attends(rows)
    TeachingAssignment.objects.bulk_create(rows)
    return len(rows)


def _demo_account_attends(rows: list[TeachingAssignment]) -> None:
    """The "faculty" demo account attends the first half of each block on its program's first
    rotation, so it has a queue to show."""
    account = Faculty.objects.filter(person__user__username="faculty").first()
    if account is None:
        return
    own = [r for r in rows if r.program_id == account.primary_program_id]
    if not own:
        return
    first_rotation = own[0].rotation_id
    on_it = [r for r in own if r.rotation_id == first_rotation]
    for row in on_it[::2]:  # rows come in (first half, second half) pairs per block
        row.faculty = account


def _subcompetencies(program: Program) -> list[int]:
    try:
        from rounds.milestones.models import Subcompetency
    except ImportError:  # pragma: no cover - the milestones app is installed with this one
        return []
    rows = Subcompetency.objects.filter(
        competency__milestone_set__specialty__in=[program.specialty_id]
    ).order_by("competency__order", "order")
    harmonized = Subcompetency.objects.filter(harmonized=True).order_by(
        "competency__order", "order"
    )
    return [s.pk for s in rows[:4]] + [s.pk for s in harmonized[:2]]


def form_set(program: Program) -> list[EvaluationForm]:
    """The program's forms: faculty of trainee (ratings on milestone subcompetencies where the
    specialty's set is loaded), trainee of faculty, trainee of rotation, and 360 for nurses."""
    subs = _subcompetencies(program)
    short = program.name.replace(" Residency", "")
    forms = []

    def build(name: str, kind: str, items: list[tuple[str, str, int | None]]) -> None:
        form = form_create(program=program, name=name, evaluator_kind=kind, by=None)
        version = form.versions.get()
        for kind_, text, sub in items:
            item_add(
                version=version,
                kind=kind_,
                text=text,
                subcompetency_id=sub,
                required=kind_ != FormItem.Kind.NARRATIVE,
                low_label="Needs work" if kind_ == "rating" and sub is None else "",
                high_label="Outstanding" if kind_ == "rating" and sub is None else "",
                by=None,
            )
        version_publish(version=version, by=None)
        forms.append(form)

    milestone_items: list[tuple[str, str, int | None]] = [
        ("rating", f"Milestone {n + 1}", sub) for n, sub in enumerate(subs)
    ]
    if not milestone_items:
        milestone_items = [("rating", "Patient care", None), ("rating", "Medical knowledge", None)]
    build(
        f"{short}: end of rotation (faculty)",
        K.FACULTY_OF_TRAINEE,
        [*milestone_items, ("rating", "Overall performance", None),
         ("narrative", "What should this resident keep doing, and work on next?", None)],
    )  # fmt: skip
    build(
        f"{short}: teaching faculty (anonymous)",
        K.TRAINEE_OF_FACULTY,
        [("rating", "Teaching on rounds", None), ("rating", "Feedback given", None),
         ("yes_no", "Was this attending available when needed?", None),
         ("narrative", "Comments for the program (never shown one by one)", None)],
    )  # fmt: skip
    build(
        f"{short}: rotation (anonymous)",
        K.TRAINEE_OF_ROTATION,
        [("rating", "Educational value", None), ("rating", "Workload was reasonable", None),
         ("narrative", "What would you change?", None)],
    )  # fmt: skip
    build(
        f"{short}: nurses and staff (360)",
        K.STAFF,
        [("rating", "Communicates with the team", subs[-1] if subs else None),
         ("yes_no", "Treats patients and staff with respect", None),
         ("narrative", "Anything else?", None)],
    )  # fmt: skip
    _rename_milestone_items(forms[0])
    return forms


def _rename_milestone_items(form: EvaluationForm) -> None:
    """Milestone items read as their subcompetency's title."""
    for item in FormItem.objects.filter(
        version__form=form, subcompetency__isnull=False
    ).select_related("subcompetency"):
        assert item.subcompetency is not None
        item.text = item.subcompetency.title[:300]
        item.save(update_fields=["text"])


def generate_until(day: date, program_ids: list[int]) -> int:
    """What the daily job would have made by `day`: one run per block end so far."""
    ends = sorted(
        set(
            Block.objects.filter(program__in=program_ids, end__lt=day).values_list("end", flat=True)
        )
    )
    made = 0
    for end in ends:
        made += requests_generate(
            day=end + timedelta(days=1), lookback_days=7, program_ids=program_ids
        ).created
    return made


@dataclass
class _Answering:
    request: EvaluationRequest
    submitted_on: date


def answer_some(rng: random.Random, day: date) -> tuple[int, int]:
    """Answer about two thirds of the requests sent at least four days ago, a few days after
    they were sent. The demo's "faculty" account keeps its latest requests waiting."""
    sent = list(
        EvaluationRequest.objects.filter(sent_on__lte=day - timedelta(days=4))
        .select_related("evaluator__user", "trainee")
        .order_by("pk")
    )
    latest = max((r.sent_on for r in sent), default=None)
    items_of: dict[int, list[FormItem]] = {}
    chosen: list[_Answering] = []
    for request in sent:
        if rng.random() >= COMPLETION or _kept_waiting(request, latest):
            continue
        latest_day = min(day - timedelta(days=1), request.expires_on)
        submitted = request.sent_on + timedelta(
            days=min(rng.choice([0, 1, 1, 2, 3, 5, 8, 13]), (latest_day - request.sent_on).days)
        )
        chosen.append(_Answering(request, submitted))
    evaluations, answers = [], []
    for pick in chosen:
        request = pick.request
        if request.form_version_id not in items_of:
            items_of[request.form_version_id] = list(
                FormItem.objects.filter(version_id=request.form_version_id).order_by("position")
            )
        items = items_of[request.form_version_id]
        posted = {f"item-{item.position}": _answer(rng, item, request) for item in items}
        checked = answers_check(items, posted)
        moment = timezone.make_aware(
            datetime.combine(pick.submitted_on, time(18, rng.randint(0, 59)))
        )
        evaluation = Evaluation(
            request=request,
            form_version_id=request.form_version_id,
            submitted_at=moment,
            submitted_on=pick.submitted_on,
            released_on=pick.submitted_on + timedelta(days=7),
            comments="\n\n".join(c.text for c in checked if c.text),
        )
        evaluations.append(evaluation)
        answers.append((evaluation, checked))
    with transaction.atomic():
        Evaluation.objects.bulk_create(evaluations, batch_size=500)
        Answer.objects.bulk_create(
            (
                Answer(
                    evaluation=e,
                    item=c.item,
                    rating=c.rating,
                    not_assessable=c.not_assessable,
                    yes_no=c.yes_no,
                    text=c.text,
                )
                for e, checked in answers
                for c in checked
            ),
            batch_size=1000,
        )
        EvaluationRequest.objects.filter(pk__in=[p.request.pk for p in chosen]).update(
            status=EvaluationRequest.Status.COMPLETED
        )
    return len(chosen), len(sent)


def _kept_waiting(request: EvaluationRequest, latest: date | None) -> bool:
    user = request.evaluator.user if request.evaluator else None
    return (
        user is not None and user.username in ("faculty", "resident") and request.sent_on == latest
    )


def _answer(rng: random.Random, item: FormItem, request: EvaluationRequest) -> str:
    if item.kind == FormItem.Kind.NARRATIVE:
        pool = FACULTY_COMMENTS if request.evaluator_kind != K.FACULTY_OF_TRAINEE else COMMENTS
        return rng.choice(pool)
    if item.kind == FormItem.Kind.YES_NO:
        return "yes" if rng.random() < 0.85 else "no"
    if item.subcompetency_id is not None:
        pgy = request.trainee.pgy if request.trainee else 2
        level = Decimal(min(5, max(1, 1 + pgy))) + rng.choice(
            [Decimal("-0.5"), Decimal("0"), Decimal("0"), Decimal("0.5")]
        )
        if rng.random() < 0.05:
            return "NYA"
        return f"{min(Decimal(5), max(Decimal(1), level)).normalize():f}"
    return str(rng.choice([3, 4, 4, 4, 5, 5]))
