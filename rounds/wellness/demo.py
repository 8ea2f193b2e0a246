"""Demo wellness: support directory, committees with meetings and initiatives, a monthly pulse
survey answered for six closed months, a small fellowship's own survey (suppressed), and one
anonymous concern thread answered by the GME office.

Answers are written straight as counts, the way the survey service stores them. Same seed and
same month: same rows.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q

from rounds.concerns.models import Concern, ConcernHandler, ConcernMessage
from rounds.concerns.services import code_digest, normalise_code
from rounds.core.models import Program
from rounds.lib import today as clock
from rounds.people.models import Person, Trainee
from rounds.wellness.bank import bank_install
from rounds.wellness.models import (
    Committee,
    CommitteeMember,
    Gathering,
    Initiative,
    OptionCount,
    Question,
    Resource,
    Respondent,
    ResponseCount,
    Survey,
    SurveyPeriod,
    SurveyQuestion,
)
from rounds.wellness.periods import add_months, period_bounds

MONTHS_BACK = 6
SMALL_PROGRAM_MAX = 4  # a fellowship this small shows how suppression looks

RESOURCES = [
    ("988 Suicide & Crisis Lifeline", "crisis", "Free, confidential support for anyone in "
     "suicidal crisis or emotional distress, any hour.", "988", "988",
     "https://988lifeline.org/", "24/7"),
    ("Crisis Text Line", "crisis", "Text with a trained crisis counsellor.", "", "741741",
     "https://www.crisistextline.org/", "24/7 — text HOME"),
    ("Physician Support Line", "peer", "Free, confidential peer support from volunteer "
     "psychiatrists for physicians and medical students. No appointment needed.",
     "1-888-409-0141", "", "https://www.physiciansupportline.com/", "Weekdays 8am–1am ET"),
    ("Employee Assistance Program", "eap", "Up to eight free counselling sessions a year for "
     "you and your household, plus legal and financial advice.", "(555) 010-2000", "", "",
     "24/7 intake"),
    ("Resident Counselling Service", "counselling", "Therapy and psychiatry for trainees, "
     "outside your program's reporting line. Evening appointments; no record in your "
     "training file.", "(555) 010-3100", "", "", "Mon–Fri 7am–8pm"),
    ("Peer Support Team", "peer", "Fellow residents trained to listen after a hard case, an "
     "adverse event or a tough week.", "(555) 010-3300", "(555) 010-3301", "",
     "Daily 8am–10pm"),
    ("Ombuds Office", "other", "Independent, informal and confidential help with conflicts "
     "and concerns at work.", "(555) 010-4000", "", "", "Mon–Fri 9am–5pm"),
]  # fmt: skip


def demo_wipe() -> None:
    Concern.objects.all().delete()
    ConcernHandler.objects.all().delete()
    for model in (OptionCount, ResponseCount, Respondent, SurveyPeriod, SurveyQuestion):
        model.objects.all().delete()
    Survey.objects.all().delete()
    Committee.objects.all().delete()
    Resource.objects.all().delete()


@transaction.atomic
def demo_extend(*, seed: int) -> list[str]:
    demo_wipe()
    bank_install(Question)
    rng = random.Random(seed * 53 + 6)
    today = clock.today()
    Resource.objects.bulk_create(
        Resource(name=n, category=c, description=d, phone=p, text_line=t, url=u, hours=h,
                 position=i)
        for i, (n, c, d, p, t, u, h) in enumerate(RESOURCES)
    )  # fmt: skip
    committees = _committees(rng, today)
    shown, hidden = _pulse_survey(rng, today)
    small = _small_survey(rng, today)
    code = _concern(rng, today)
    return [
        f"Wellness: {len(RESOURCES)} support resources, {committees} committees, a monthly "
        f"pulse survey over {MONTHS_BACK} closed months ({shown} program rows shown, {hidden} "
        f"hidden, latest month){', ' + small if small else ''}.",
        f"Speaking up: one anonymous concern thread; its reporter's code is {code}.",
    ]


def _trainees(program: Program) -> list[Trainee]:
    return list(
        Trainee.objects.filter(program=program, status=Trainee.Status.ACTIVE)
        .select_related("person")
        .order_by("pk")
    )


def _committees(rng: random.Random, today: date) -> int:
    wellness_user = get_user_model().objects.filter(username="wellness").first()
    institution = Committee.objects.create(
        name="GME Resident Wellness Council",
        purpose="Residents and fellows from every department who turn pulse survey results "
        "into changes: protected time, food after call, peer support.",
    )
    chair = Person.objects.filter(user=wellness_user).first()
    pool = list(Trainee.objects.select_related("person").order_by("pk"))
    members = rng.sample(pool, min(6, len(pool)))
    if chair is not None:
        members = [t for t in members if t.person_id != chair.pk][:5]
        CommitteeMember.objects.create(committee=institution, person=chair, is_chair=True)
    for trainee in members:
        CommitteeMember.objects.create(committee=institution, person=trainee.person)
    made = 1
    for name in ("Internal Medicine Residency", "Psychiatry Residency"):
        program = Program.objects.filter(name=name).first()
        if program is None:
            continue
        committee = Committee.objects.create(
            name=f"{name.replace(' Residency', '')} Wellness Committee", program=program
        )
        made += 1
        trainees = _trainees(program)
        chosen = rng.sample(trainees, min(4, len(trainees)))
        for k, trainee in enumerate(chosen):
            CommitteeMember.objects.create(
                committee=committee, person=trainee.person, is_chair=k == 0
            )
        _work(committee, [t.person for t in chosen], rng, today)
    _work(institution, [m.person for m in institution.members.all()], rng, today)
    return made


def _work(committee: Committee, people: list[Person], rng: random.Random, today: date) -> None:
    plans = [
        ("meeting", "Monthly committee meeting", 0),
        ("meeting", "Survey results review", 0),
        ("event", "Post-call breakfast", rng.randint(18, 40)),
        ("event", "Wellness half-day: mindfulness and peer support", rng.randint(25, 60)),
    ]
    for k, (kind, title, headcount) in enumerate(plans):
        gathering = Gathering.objects.create(
            committee=committee,
            kind=kind,
            title=title,
            on=today - timedelta(days=14 + 30 * k),
            location="Conference room 4B" if kind == "meeting" else "Staff lounge",
            headcount=headcount,
        )
        gathering.attendees.set([p for p in people if rng.random() < 0.8])
    for title, status in [
        ("Protected lunch on ward weeks", Initiative.Status.ACTIVE),
        ("Night-float food fund", Initiative.Status.DONE),
        ("Quiet room near the ICU", Initiative.Status.IDEA),
    ]:
        Initiative.objects.create(
            committee=committee, title=title, status=status, lead=rng.choice(people)
        )


def _pulse_survey(rng: random.Random, today: date) -> tuple[int, int]:
    start = add_months(today.replace(day=1), -MONTHS_BACK)
    survey = Survey.objects.create(
        title="Monthly wellness pulse",
        recurrence=Survey.Recurrence.MONTHLY,
        starts_on=start,
        introduction="Three questions, one minute. Anonymous by design.",
    )
    questions = list(
        Question.objects.filter(
            code__in=["burnout-single-item", "pulse-supported", "pulse-sleep"]
        ).order_by("-instrument", "code")
    )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, question=q, position=i) for i, q in enumerate(questions)
    )
    programs = list(
        Program.objects.annotate(
            n=Count("trainees", filter=Q(trainees__status=Trainee.Status.ACTIVE))
        )
        .filter(n__gte=SMALL_PROGRAM_MAX + 1)
        .order_by("name")
    )
    mood = {p.pk: rng.uniform(-0.6, 0.6) for p in programs}
    last_counts: dict[int, int] = {}
    for index in range(MONTHS_BACK):
        begins, ends = period_bounds(survey, index)
        period = SurveyPeriod.objects.create(
            survey=survey, index=index, starts_on=begins, ends_on=ends
        )
        last_counts = {}
        for program in programs:
            trainees = _trainees(program)
            rate = rng.uniform(0.35, 0.85)
            answering = [t for t in trainees if rng.random() < rate]
            if not answering:
                continue
            last_counts[program.pk] = len(answering)
            _write_counts(period, program, answering, questions, rng, mood[program.pk], index)
    from rounds.lib.disclosure import hidden_cells

    hidden = hidden_cells(last_counts)
    return len(last_counts) - len(hidden), len(hidden)


def _write_counts(
    period: SurveyPeriod,
    program: Program,
    answering: list[Trainee],
    questions: list[Question],
    rng: random.Random,
    mood: float,
    index: int,
) -> None:
    # Closed rounds keep no "has answered" flags (see respondents_forget_closed).
    ResponseCount.objects.create(period=period, program=program, count=len(answering))
    rows = []
    for question in questions:
        width = len(question.options)
        tally: Counter[int] = Counter()
        for _ in answering:
            if rng.random() < 0.05:
                tally[width] += 1  # "prefer not to say"
                continue
            # Burnout (first question) improves a little month by month in most programs.
            centre = (1.6 + mood - 0.08 * index) if question.flag_from == 3 else (3.0 - mood)
            tally[max(0, min(width - 1, round(rng.gauss(centre, 0.9))))] += 1
        rows += [
            OptionCount(period=period, program=program, question=question, option=i, count=tally[i])
            for i in range(width + 1)
        ]
    OptionCount.objects.bulk_create(rows)


def _small_survey(rng: random.Random, today: date) -> str:
    program = (
        Program.objects.annotate(
            n=Count("trainees", filter=Q(trainees__status=Trainee.Status.ACTIVE))
        )
        .filter(n__gte=2, n__lte=SMALL_PROGRAM_MAX)
        .order_by("name")
        .first()
    )
    if program is None:
        return ""
    survey = Survey.objects.create(
        title=f"{program.name} check-in",
        program=program,
        recurrence=Survey.Recurrence.ONCE,
        starts_on=add_months(today.replace(day=1), -2),
    )
    burnout = Question.objects.get(code="burnout-single-item")
    SurveyQuestion.objects.create(survey=survey, question=burnout, position=0)
    begins, ends = period_bounds(survey, 0)
    period = SurveyPeriod.objects.create(survey=survey, index=0, starts_on=begins, ends_on=ends)
    _write_counts(period, program, _trainees(program), [burnout], rng, 0.0, 0)
    return f"the {program.name} check-in answered by {len(_trainees(program))} (suppressed)"


def _concern(rng: random.Random, today: date) -> str:
    gme = get_user_model().objects.filter(username="gme").first()
    if gme is not None:
        ConcernHandler.objects.create(user=gme)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    code = normalise_code("".join(rng.choice(alphabet) for _ in range(20)))
    program = Program.objects.filter(name="Internal Medicine Residency").first()
    concern = Concern.objects.create(
        category=Concern.Category.MISTREATMENT,
        subject="Belittled in front of patients on night float",
        program=program,
        anonymous=True,
        code_digest=code_digest(code),
        status=Concern.Status.OPEN,
        raised_on=today - timedelta(days=9),
    )
    for days_ago, from_office, body in [
        (9, False, "On several night-float shifts a senior physician mocked interns' "
         "presentations in front of patients and nurses. People are afraid to call for help "
         "overnight."),
        (8, True, "Thank you for telling us. This should not happen, and you were right to "
         "speak up. Can you say which weeks this happened, without anything that would "
         "identify you? We will not contact the program until you say we may."),
        (6, False, "The last two weeks of last month, mostly after midnight. Please do not "
         "name our rotation yet."),
        (5, True, "Understood. We will raise the pattern in the faculty development session "
         "for all night attendings without naming the rotation, and check back with you here "
         "in two weeks."),
    ]:  # fmt: skip
        ConcernMessage.objects.create(
            concern=concern,
            from_office=from_office,
            author=gme if from_office else None,
            body=body,
            sent_on=today - timedelta(days=days_ago),
        )
    return code
