"""The attacker: every figure about people each role can read, on pages and exports, solved
together for every suppressed cell. A cell is recovered when its least and greatest feasible
values (whole numbers of people) are equal. None may be, on the demo institution or on
generated ones.

The attacker knows which classes of trainees exist (program, years in training, status, the
events of those years, URiM group: the atoms), not how many are in each; what they learn comes
from the pages. Figures are read from the CSV exports (parsed) and from what the advancement
and wellness results pages render (their context); survey answers are atoms of their own
(round, program, question, option), since nothing stored ties two answers together."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from rounds.core.models import Program
from rounds.inclusion.models import STAGE_ORDER, AdvancementEvent, Applicant, RecruitmentCycle
from rounds.lib.today import today
from rounds.people.models import Person, SelfIdentification, Trainee
from rounds.wellness.models import OptionCount, Question, ResponseCount, Survey, SurveyPeriod
from rounds.wellness.services import survey_answer, survey_create
from tests.disclosure_attack import Attacker
from tests.people import SmallInstitution

pytestmark = pytest.mark.django_db

GROUPS = {"urim": True, "other": False, "not_stated": None}
COLUMNS = (("urim", "urim"), ("not_urim", "other"), ("not_stated", "not_stated"))
KINDS = [k for k, _ in AdvancementEvent.Kind.choices]


def _years(today: date) -> list[int]:
    current = today.year if today.month >= 7 else today.year - 1
    return list(range(current - 5, current + 1))


def _in_training(trainee: Trainee, year: int) -> bool:
    return trainee.start_date <= date(year + 1, 6, 30) and trainee.expected_end_date >= date(
        year, 7, 1
    )


def trainee_atoms(years: list[int]) -> dict[tuple, int]:
    urim_of = dict(SelfIdentification.objects.values_list("person_id", "urim"))
    events: dict[int, set[tuple[str, int]]] = {}
    for tid, kind, year in AdvancementEvent.objects.values_list(
        "trainee_id", "kind", "academic_year"
    ):
        if year in years:
            events.setdefault(tid, set()).add((kind, year))
    atoms: Counter[tuple] = Counter()
    for t in Trainee.objects.all():
        group = {True: "urim", False: "other", None: "not_stated"}[urim_of.get(t.person_id)]
        in_years = tuple(y for y in years if _in_training(t, y))
        profile = (t.program_id, in_years, t.status, tuple(sorted(events.get(t.pk, ()))))
        atoms[(*profile, group)] += 1
        for other in GROUPS:  # the attacker knows the profile, never the group
            atoms[(*profile, other)] += 0
    return dict(atoms)


def composition_population(atom: tuple, year: int) -> bool:
    """Who the inclusion page and its CSV count: trainees in training this academic year."""
    return year in atom[1]


def _read_inclusion(client: Client, attacker: Attacker, years: list[int]) -> bool:
    """Add every figure of the inclusion CSV and every advancement page; False if forbidden."""
    response = client.get("/inclusion/export.csv")
    if response.status_code != 200:
        return False
    names = dict(Program.objects.values_list("name", "pk"))
    atoms = list(attacker.atoms)
    year = years[-1]
    for row in csv.DictReader(io.StringIO(response.content.decode())):
        pid = names.get(row["program"])  # None: "All programs"
        pop = [
            a
            for a in atoms
            if isinstance(a[0], int)
            and (pid is None or a[0] == pid)
            and composition_population(a, year)
        ]
        name = f"csv {row['program']}"
        # How many trainees a program has is no secret (staff pages list them): not a cell.
        _cell(attacker, f"{name} trainees", pop, row["trainees"], secret=False)
        for column, group in (
            ("urim", "urim"),
            ("not_urim", "other"),
            ("not_stated", "not_stated"),
        ):
            _cell(attacker, f"{name} {column}", [a for a in pop if a[4] == group], row[column])
        if row["urim_pct"]:
            urim = [a for a in pop if a[4] == "urim"]
            answered = [a for a in pop if a[4] != "not_stated"]
            attacker.share(urim, answered, float(row["urim_pct"]), 0.05)
    for pid in [None, *Program.objects.values_list("pk", flat=True)]:
        url = "/inclusion/advancement/" + (f"?program={pid}" if pid else "")
        page = client.get(url)
        assert page.status_code == 200
        for row in page.context["table"]:
            y = row.year
            here = [
                a
                for a in atoms
                if isinstance(a[0], int) and (pid is None or a[0] == pid) and y in a[1]
            ]
            for measure, rates in row.rates.items():
                for g, rate in rates.items():
                    group = [a for a in here if a[4] == g]
                    yes = [
                        a
                        for a in group
                        if (a[2] != "withdrawn" if measure == "retained" else (measure, y) in a[3])
                    ]
                    name = f"adv {pid} {y} {g}"
                    _cell(attacker, f"{name} in training", group, rate.of)
                    _cell(attacker, f"{name} {measure}", yes, rate.count)
                    if rate.pct is not None and rate.count is None:
                        attacker.share(yes, group, rate.pct, 0.05)
    return True


def _read_funnels(client: Client, attacker: Attacker) -> None:
    for cycle in RecruitmentCycle.objects.all():
        response = client.get(f"/inclusion/recruitment/{cycle.pk}/export.csv")
        assert response.status_code == 200
        mine = [a for a in attacker.atoms if a[0] == "applicant" and a[1] == cycle.pk]
        for index, row in enumerate(csv.DictReader(io.StringIO(response.content.decode()))):
            reached = [a for a in mine if a[2] >= index]
            name = f"funnel {cycle.pk} {index}"
            _cell(attacker, f"{name} people", reached, row["people"], secret=False)
            for column, group in (
                ("urim", "urim"),
                ("not_urim", "other"),
                ("not_stated", "not_stated"),
            ):
                _cell(
                    attacker, f"{name} {column}", [a for a in reached if a[3] == group], row[column]
                )


def applicant_atoms() -> dict[tuple, int]:
    atoms: Counter[tuple] = Counter()
    for cycle_id in RecruitmentCycle.objects.values_list("pk", flat=True):
        for index in range(len(STAGE_ORDER)):
            for group in GROUPS:
                atoms[("applicant", cycle_id, index, group)] += 0
    for cycle_id, stage, urim in Applicant.objects.values_list("cycle_id", "stage", "urim"):
        group = {True: "urim", False: "other", None: "not_stated"}[urim]
        atoms[("applicant", cycle_id, STAGE_ORDER.index(stage), group)] += 1
    return dict(atoms)


def wellness_atoms() -> dict[tuple, int]:
    """Survey answers as stored: per round, program, question and option (the last option is
    "prefer not to say"). Nothing ties two answers of one person together."""
    atoms: dict[tuple, int] = {}
    for period in SurveyPeriod.objects.all():
        programs = ResponseCount.objects.filter(period=period).values_list("program_id", flat=True)
        for q in period.survey.ordered_questions():
            for pid in programs:
                for o in range(len(q.options) + 1):
                    atoms[("w", period.pk, pid, q.pk, o)] = 0
    for period_id, pid, qid, o, n in OptionCount.objects.values_list(
        "period_id", "program_id", "question_id", "option", "count"
    ):
        atoms[("w", period_id, pid, qid, o)] = n
    return atoms


def _read_wellness(client: Client, attacker: Attacker) -> None:
    """Every closed round's results as the role sees them: respondents, answered, each
    option's share (shown to the whole percent) and the headline, per group."""
    for survey in Survey.objects.all():
        page = client.get(f"/wellness/surveys/{survey.pk}/")
        if page.status_code != 200 or page.context["latest"] is None:
            continue
        latest = page.context["latest"]
        period = latest.period.pk
        mine = [a for a in attacker.atoms if a[0] == "w" and a[1] == period]
        questions = survey.ordered_questions()
        for pid in {a[2] for a in mine}:  # each question splits the same respondents
            first = [a for a in mine if a[2] == pid and a[3] == questions[0].pk]
            for q in questions[1:]:
                coefs = {a: 1.0 for a in mine if a[2] == pid and a[3] == q.pk}
                coefs.update({a: -1.0 for a in first})
                attacker.equal.append((coefs, 0.0))
        for group in latest.groups:
            pid = group.program_id
            here = [a for a in mine if pid is None or a[2] == pid]
            name = f"wellness {period} {pid}"
            first = [a for a in here if a[3] == questions[0].pk]
            _cell(attacker, f"{name} respondents", first, group.respondents)
            for qr in group.questions:
                q = qr.question
                of_q = [a for a in here if a[3] == q.pk]
                skip = len(q.options)
                answered = [a for a in of_q if a[4] != skip]
                _cell(attacker, f"{name} {q.pk} answered", answered, qr.answered)
                for o, share in enumerate(qr.shares):
                    option = [a for a in of_q if a[4] == o]
                    if share is None:
                        attacker.suppressed(f"{name} {q.pk} option {o}", option)
                    else:
                        attacker.share(option, of_q, round(share), 0.5)
                if q.flag_from:
                    flagged = [a for a in answered if a[4] >= q.flag_from - 1]
                    if qr.headline is None:
                        attacker.suppressed(f"{name} {q.pk} flagged", flagged)
                    else:
                        attacker.share(flagged, answered, round(qr.headline), 0.5)


def _cell(attacker: Attacker, name: str, atoms: list, shown: object, secret: bool = True) -> None:
    if shown is None or shown == "suppressed":
        if secret:
            attacker.suppressed(name, atoms)
    elif isinstance(shown, (int, str, Decimal)) and str(shown).isdigit():
        attacker.count(atoms, int(str(shown)))


def attack(clients: dict[str, Client]) -> dict[str, dict[str, int]]:
    """Per role, the suppressed cells it could recover from everything it can read."""
    cache.clear()
    years = _years(today())
    found = {}
    for role, client in clients.items():
        atoms = {**trainee_atoms(years), **applicant_atoms(), **wellness_atoms()}
        attacker = Attacker(atoms)
        if _read_inclusion(client, attacker, years):
            _read_funnels(client, attacker)
        _read_wellness(client, attacker)
        if attacker.equal or attacker.between or attacker.hidden:
            found[role] = attacker.recovered()
    return found


# -- generated institutions -----------------------------------------------------------------------
def _generate(small: SmallInstitution, seed: int) -> None:
    """Small programs of random sizes, answers, start years, withdrawals and events."""
    rng = random.Random(seed)
    programs = [small.im, small.cards]
    for n in range(rng.randint(1, 3)):
        programs.append(
            Program.objects.create(
                name=f"Generated Fellowship {n}",
                slug=f"gen-{n}",
                specialty=small.cardiology,
                kind="fellowship",
                acgme_number=f"99{seed:04d}{n:04d}",
                length_years=rng.choice((1, 2, 3)),
                first_pgy=4,
            )
        )
    this = _years(today())[-1]
    for i in range(rng.randint(10, 45)):
        program = rng.choice(programs)
        start = rng.randint(this - 6, this)
        person = Person.objects.create(
            kind="trainee", first_name="G", last_name=str(i), email=f"g{i}@example.org"
        )
        status = rng.choices(["active", "graduated", "withdrawn", "leave"], [8, 3, 1, 1])[0]
        trainee = Trainee.objects.create(
            person=person,
            program=program,
            pgy=program.first_pgy,
            start_date=date(start, 7, 1),
            expected_end_date=date(start + program.length_years, 6, 30),
            status=status,
        )
        urim = rng.choice([True, False, False, False, None])
        if urim is not None:
            SelfIdentification.objects.create(person=person, urim=urim, race_ethnicity=["x"])
        for year in range(start, start + program.length_years):
            if rng.random() < 0.25:
                AdvancementEvent.objects.create(
                    trainee=trainee, kind=rng.choice(KINDS), academic_year=year
                )
    _survey(small, rng)


def _survey(small: SmallInstitution, rng: random.Random) -> None:
    """An institution-wide pulse survey's first quarter, answered by a random share of the
    active trainees (random answers, some "prefer not to say")."""
    questions = [
        Question.objects.get(code="burnout-single-item"),
        Question.objects.get(code="pulse-sleep"),
    ]
    survey = survey_create(
        title="Pulse",
        program=None,
        questions=questions,
        recurrence="quarterly",
        starts_on=date(2026, 1, 1),
        by=small.users["gme"],
    )
    from rounds.wellness.periods import period_current

    period = period_current(survey, date(2026, 2, 10))
    assert period is not None
    for trainee in Trainee.objects.filter(status="active"):
        if rng.random() < 0.8:
            answers = {q.pk: rng.choice([None, *range(len(q.options)), 0, 0]) for q in questions}
            survey_answer(period=period, trainee=trainee, answers=answers, today=date(2026, 2, 10))


def _clients(small: SmallInstitution) -> dict[str, Client]:
    clients = {}
    for username in ("gme", "inclusion", "pd.im", "wellness", "resident"):
        client = Client()
        client.force_login(small.users[username])
        clients[username] = client
    return clients


@pytest.mark.parametrize("seed", range(8))
def test_no_suppressed_cell_is_recovered_on_generated_institutions(
    small: SmallInstitution, seed: int
) -> None:
    _generate(small, seed)
    found = attack(_clients(small))
    # The wellness committee reads only survey results: it is attacked on those alone.
    assert found.keys() >= {"gme", "inclusion", "wellness", "pd.im"}
    assert found == {role: {} for role in found}


def test_no_suppressed_cell_is_recovered_on_the_demo(db: None) -> None:
    from django.contrib.auth.models import User

    from rounds.core.demo import demo_build
    from rounds.inclusion.demo import demo_extend
    from rounds.wellness.demo import demo_extend as wellness_demo

    demo_build(seed=2026, scale=0.5)
    demo_extend(seed=2026)
    wellness_demo(seed=2026)
    clients = {}
    for username in ("gme", "inclusion", "pd.im", "wellness", "resident"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    found = attack(clients)
    assert found.keys() >= {"gme", "inclusion"}
    assert found == {role: {} for role in found}
