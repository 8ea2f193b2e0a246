"""Survey answers cannot be traced to a person: the proof, by what is stored and what is shown.

A committee member tries to work out who answered what: from the tables (no person, no time,
no order), from the pages (no per-person rows, small groups hidden), and by subtraction from a
total (blocked by hiding a second group with the small one).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import models
from django.test import Client

from rounds.core.models import ApprovedPositions, Program, ProgramSite
from rounds.lib import today as clock
from rounds.people.models import Person, Trainee
from rounds.wellness.bank import SINGLE_ITEM_BURNOUT
from rounds.wellness.errors import WellnessError
from rounds.wellness.models import (
    OptionCount,
    Question,
    Respondent,
    ResponseCount,
    Survey,
    SurveyPeriod,
)
from rounds.wellness.periods import period_current
from rounds.wellness.services import survey_answer, survey_create
from tests.people import SmallInstitution

MID_YEAR = "2026-12-07"  # tests about rounds already answered pin this day


@pytest.fixture(autouse=True)
def question_bank(db: None) -> None:
    # The bank comes from a data migration, which a transactional test's flush removes.
    from rounds.wellness.bank import bank_install

    bank_install(Question)


IN_PERIOD = date(2026, 2, 10)  # inside the first quarter of a survey starting 1 Jan 2026
LATER = date(2026, 11, 24)


def add_trainees(program: Program, n: int, prefix: str) -> list[Trainee]:
    made = []
    for i in range(n):
        person = Person.objects.create(
            kind=Person.Kind.TRAINEE,
            first_name=f"{prefix.title()}{i}",
            last_name="Quillfeather",
            email=f"{prefix}{i}@example.org",
        )
        made.append(
            Trainee.objects.create(
                person=person,
                program=program,
                pgy=program.pgy_levels[0],
                start_date=date(2025, 7, 1),
                expected_end_date=date(2028, 6, 30),
            )
        )
    return made


def surgery(small: SmallInstitution) -> Program:
    program = Program.objects.create(
        name="General Surgery Residency",
        slug="surgery",
        specialty=small.internal_medicine,
        kind="residency",
        acgme_number="4401100003",
        length_years=5,
    )
    ProgramSite.objects.create(program=program, site=small.sponsor, is_primary=True)
    ApprovedPositions.objects.create(program=program, pgy=1, count=10)
    return program


def burnout() -> Question:
    return Question.objects.get(code=SINGLE_ITEM_BURNOUT["code"])


def new_survey(program: Program | None, by: object, starts: date = date(2026, 1, 1)) -> Survey:
    return survey_create(
        title="Quarterly pulse",
        program=program,
        questions=[burnout(), Question.objects.get(code="pulse-sleep")],
        recurrence=Survey.Recurrence.QUARTERLY,
        starts_on=starts,
        by=by,
    )


def answer_all(survey: Survey, trainees: list[Trainee], option: int, day: date = IN_PERIOD) -> None:
    period = period_current(survey, day)
    assert period is not None
    sleep = Question.objects.get(code="pulse-sleep")
    for trainee in trainees:
        survey_answer(
            period=period,
            trainee=trainee,
            answers={burnout().pk: option, sleep.pk: 1},
            today=day,
        )


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def results_page(client: Client, survey: Survey) -> str:
    response = client.get(f"/wellness/surveys/{survey.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_answer_tables_hold_no_person_and_no_time() -> None:
    for model in (OptionCount, ResponseCount):
        for field in model._meta.get_fields():
            assert not isinstance(field, models.DateField | models.DateTimeField), field
            related = getattr(field, "related_model", None)
            assert related is None or related._meta.label in {
                "wellness.SurveyPeriod",
                "core.Program",
                "wellness.Question",
            }, f"{model.__name__}.{field.name} points at {related}"
    # The "has answered" flag holds a person and a period, and nothing about the answer.
    assert {f.name for f in Respondent._meta.get_fields()} == {"id", "period", "person"}


def test_an_answer_is_counted_but_never_stored_with_its_author(small: SmallInstitution) -> None:
    survey = new_survey(None, small.users["gme"])
    answer_all(survey, [small.ana], option=4)
    period = SurveyPeriod.objects.get(survey=survey)
    chosen = OptionCount.objects.get(period=period, question=burnout(), option=4)
    assert chosen.count == 1
    assert ResponseCount.objects.get(period=period, program=small.im).count == 1
    assert Respondent.objects.filter(period=period, person=small.ana.person).exists()
    # Every option row was created before counting, in question and option order: the ids do
    # not reveal that option 4 was chosen first.
    rows = list(OptionCount.objects.filter(period=period).order_by("pk"))
    assert [(r.question_id, r.option) for r in rows] == sorted(
        (r.question_id, r.option) for r in rows
    )
    assert len(rows) == 6 + 6  # five options and "prefer not to say", for two questions


def test_nobody_answers_twice_and_the_message_says_so(small: SmallInstitution) -> None:
    survey = new_survey(small.im, small.users["gme"])
    answer_all(survey, [small.ana], option=0)
    with pytest.raises(WellnessError, match="already answered"):
        answer_all(survey, [small.ana], option=1)
    assert ResponseCount.objects.get().count == 1


def test_other_programs_trainees_cannot_answer_a_program_survey(small: SmallInstitution) -> None:
    survey = new_survey(small.im, small.users["gme"])
    with pytest.raises(WellnessError, match="another program"):
        answer_all(survey, [small.cara], option=0)


def test_large_program_shown_small_program_suppressed(
    small: SmallInstitution, client_as, settings
) -> None:  # type: ignore[no-untyped-def]
    large = new_survey(small.im, small.users["gme"])
    small_survey = new_survey(small.cards, small.users["gme"])
    im = [small.ana, small.ben, *add_trainees(small.im, 10, "im")]
    answer_all(large, im[:6], option=4)
    answer_all(large, im[6:], option=0)
    answer_all(small_survey, [small.cara, *add_trainees(small.cards, 2, "cards")], option=4)
    gme = client_as("gme")
    shown = results_page(gme, large)
    assert "Internal Medicine Residency" in shown and "50%" in shown  # 6 of 12 burned out
    assert ">12<" in shown
    hidden = results_page(gme, small_survey)
    assert "Hidden: fewer than 5 respondents" in hidden
    assert ">3<" not in hidden and "100%" not in hidden
    # The floor is a setting: at 3 the fellowship's group appears, but not that all three
    # chose the same answer (a full count in a small group says it of each of them).
    settings.ROUNDS_MIN_CELL_SIZE = 3
    lowered = results_page(gme, small_survey)
    assert ">3<" in lowered and "100%" not in lowered


def test_a_share_of_a_small_group_is_shown_only_if_its_count_would_be(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    survey = new_survey(small.im, small.users["gme"])
    im = [small.ana, small.ben, *add_trainees(small.im, 3, "im")]
    answer_all(survey, im[:1], option=4)  # one of five: 20% would be one person
    answer_all(survey, im[1:], option=0)
    page = results_page(client_as("gme"), survey)
    assert ">5<" in page
    assert "20%" not in page and "80%" not in page


def test_total_beside_programs_cannot_be_used_to_subtract_a_small_one(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    surg = surgery(small)
    survey = new_survey(None, small.users["gme"])
    answer_all(survey, [small.ana, small.ben, *add_trainees(small.im, 4, "im")], option=0)  # 6
    answer_all(survey, add_trainees(surg, 7, "surg"), option=0)  # 7
    answer_all(survey, [small.cara, *add_trainees(small.cards, 2, "cards")], option=4)  # 3
    page = results_page(client_as("wellness"), survey)
    assert ">7<" in page  # surgery, large enough and not needed to protect anyone
    # Cardiology (3) is hidden, and the institution total with it (it would be 16 - 7 - 6):
    # the total hides before another program does.
    assert ">3<" not in page and ">16<" not in page
    assert ">6<" in page
    # IM's own leaders see the same cell hidden, or their page and this one together would
    # give away cardiology's three answers.
    im_page = results_page(client_as("pd.im"), survey)
    assert ">3<" not in im_page
    assert ">16<" not in im_page  # the institution total is for institution-wide viewers


def test_trend_hides_a_period_where_the_group_was_small(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, settings
) -> None:
    settings.ROUNDS_TODAY = MID_YEAR  # the three quarters answered are behind
    survey = new_survey(small.im, small.users["gme"])
    first = [small.ana, small.ben, *add_trainees(small.im, 10, "im")]
    answer_all(survey, first[:6], option=3, day=date(2026, 2, 1))  # Q1: 12, half burned out
    answer_all(survey, first[6:], option=0, day=date(2026, 2, 1))
    answer_all(survey, first[:2], option=0, day=date(2026, 5, 1))  # Q2: only 2 answered
    answer_all(survey, first[:10], option=0, day=date(2026, 8, 1))  # Q3: 10, none burned out
    page = results_page(client_as("pd.im"), survey)
    assert "Trends" in page
    assert "Jan–Mar 2026: 50%; Apr–Jun 2026: suppressed; Jul–Sep 2026: 0%" in page


def test_nothing_is_shown_while_a_round_is_open(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    survey = new_survey(small.im, small.users["gme"], starts=clock.today().replace(day=1))
    answer_all(survey, [small.ana, small.ben, *add_trainees(small.im, 4, "im")], 2, clock.today())
    page = results_page(client_as("gme"), survey)
    assert "Open now" in page and "not even how many have answered" in page
    assert ">6<" not in page and "%" not in page.split("Open now")[1]


def test_no_page_or_query_string_gives_per_person_rows(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    survey = new_survey(small.im, small.users["gme"])
    answer_all(survey, [small.ana, small.ben, *add_trainees(small.im, 4, "im")], option=1)
    member = client_as("wellness")
    plain = results_page(member, survey)
    for query in ("?format=csv", "?export=1", "?person=1", "?respondent=1&detail=1"):
        response = member.get(f"/wellness/surveys/{survey.pk}/{query}")
        assert response["Content-Type"].startswith("text/html")
        assert without_tokens(response.content.decode()) == without_tokens(plain)
    for name in ("Ana", "Alvarez", "Ben", "Baker", "Im0", "Quillfeather"):
        assert name not in plain


def test_prefer_not_to_say_is_counted_so_no_question_falls_below_the_floor(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    survey = new_survey(small.im, small.users["gme"])
    period = period_current(survey, IN_PERIOD)
    assert period is not None
    trainees = [small.ana, small.ben, *add_trainees(small.im, 10, "im")]
    for k, trainee in enumerate(trainees):
        survey_answer(
            period=period,
            trainee=trainee,
            # five prefer not to say, five burned out, two not
            answers={burnout().pk: None if k < 5 else (4 if k < 10 else 0)},
            today=IN_PERIOD,
        )
    skipped = OptionCount.objects.get(period=period, question=burnout(), option=5)
    assert skipped.count == 5
    # Every question's counts add up to the group's respondents.
    assert (
        sum(
            OptionCount.objects.filter(period=period, question=burnout()).values_list(
                "count", flat=True
            )
        )
        == 12
    )
    page = results_page(client_as("gme"), survey)
    assert "Prefer not to say" in page and "42%" in page  # 5 of 12
    # Burnout among the 7 who answered is not shown: the 2 who are not burned out are too few.
    assert "71%" not in page and "7 answered" in page


def test_a_program_committee_member_sees_only_their_programs_aggregates(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    from rounds.wellness.models import Committee, CommitteeMember

    committee = Committee.objects.create(name="IM Wellness", program=small.im)
    CommitteeMember.objects.create(committee=committee, person=small.ben.person)
    surg = surgery(small)
    everyone = new_survey(None, small.users["gme"])
    answer_all(everyone, [small.ana, small.ben, *add_trainees(small.im, 4, "im")], option=0)
    answer_all(everyone, add_trainees(surg, 7, "surg"), option=4)  # 6 + 7: both shown
    cards_only = new_survey(small.cards, small.users["gme"])
    member = client_as("resident2")
    page = results_page(member, everyone)
    assert "Internal Medicine Residency" in page and ">6<" in page
    assert "General Surgery Residency" not in page and ">13<" not in page
    assert member.get(f"/wellness/surveys/{cards_only.pk}/").status_code == 403


def test_answered_flags_are_forgotten_once_a_round_closes(small: SmallInstitution) -> None:
    from io import StringIO

    from django.core.management import call_command

    survey = new_survey(small.im, small.users["gme"])
    answer_all(survey, [small.ana, small.ben], option=1)
    assert Respondent.objects.count() == 2
    out = StringIO()
    call_command("wellness_remind", stdout=out)  # daily; the first quarter closed long ago
    assert "Forgot 2 answered flag(s)" in out.getvalue()
    assert not Respondent.objects.exists()
    assert ResponseCount.objects.get().count == 2  # the counts stay
