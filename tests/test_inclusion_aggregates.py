"""Trainee composition, its CSV export and advancement rates obey the minimum cell size."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from rounds.inclusion.models import AdvancementEvent
from rounds.inclusion.selectors import advancement_by_year, trainee_composition
from rounds.people.models import Person, SelfIdentification, Trainee
from tests.people import SmallInstitution


def _trainees(small: SmallInstitution, program, urim: bool | None, n: int, tag: str) -> list:  # type: ignore[no-untyped-def]
    made = []
    for i in range(n):
        person = Person.objects.create(
            kind="trainee", first_name=tag, last_name=str(i), email=f"{tag}{i}@example.org"
        )
        made.append(
            Trainee.objects.create(
                person=person,
                program=program,
                pgy=program.first_pgy,
                start_date=date(2023, 7, 1),
                expected_end_date=date(2027, 6, 30),
            )
        )
        if urim is not None:
            SelfIdentification.objects.create(person=person, urim=urim, race_ethnicity=["x"])
    return made


@pytest.fixture(autouse=True)
def mid_year(settings) -> None:  # type: ignore[no-untyped-def]
    # Composition counts the trainees of this academic year: on Dec 7, ben (who starts in July
    # 2026) is one of them, as the figures below expect.
    settings.ROUNDS_TODAY = "2026-12-07"


def test_composition_shows_large_groups_and_hides_small_ones(small: SmallInstitution) -> None:
    _trainees(small, small.im, True, 6, "u")
    _trainees(small, small.im, False, 20, "o")
    _trainees(small, small.cards, True, 1, "c")  # cards: cara + 1 URiM fellow
    rows, overall = trainee_composition()
    im = next(r for r in rows if r.program == small.im)
    cards = next(r for r in rows if r.program == small.cards)
    # ana and ben did not answer: 2 is too few to show, and with 20 "not URiM" and the total
    # shown, the 6 URiM must hide with them or 28 - 20 - 6 would give the 2 away.
    assert (im.split.total, im.split.urim, im.split.other, im.split.not_stated) == (
        28,
        None,
        20,
        None,
    )
    assert cards.split.suppressed
    # The institution row would give cards away: 20 "not URiM" beside IM's 20 says cards has
    # none, a zero in a group of 2. It hides rather than IM's row.
    assert (overall.urim, overall.other, overall.not_stated) == (None, None, None)

    _trainees(small, small.im, None, 5, "n")
    rows, _ = trainee_composition()
    im = next(r for r in rows if r.program == small.im)
    assert (im.split.urim, im.split.other, im.split.not_stated) == (6, 20, 7)


def test_institution_split_resists_subtracting_the_shown_programs(small: SmallInstitution) -> None:
    _trainees(small, small.im, True, 6, "u")
    _trainees(small, small.im, False, 20, "o")
    _trainees(small, small.im, None, 5, "n")
    _trainees(small, small.cards, False, 2, "c")  # cards: cara (not stated) and 2 not URiM
    rows, overall = trainee_composition()
    assert next(r for r in rows if r.program == small.cards).split.suppressed
    # Shown: IM's 20 "not URiM". The institution's 22 would give away cards' 2.
    assert overall.other is None and overall.urim is None


def test_export_is_suppressed_like_the_page(small: SmallInstitution, client_as) -> None:
    _trainees(small, small.im, True, 6, "u")
    _trainees(small, small.im, False, 20, "o")
    _trainees(small, small.im, None, 1, "n")
    response = client_as("inclusion").get(reverse("inclusion:export"))
    rows = {row["program"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    im = rows["Internal Medicine Residency"]
    # 3 did not answer: hidden, and the 6 URiM with them, or the total would give them away.
    assert (im["trainees"], im["urim"], im["not_urim"]) == ("29", "suppressed", "20")
    assert im["not_stated"] == "suppressed"
    assert rows["Cardiovascular Disease Fellowship"]["trainees"] == "suppressed"
    # Enough "not stated" in every year since these trainees started: the URiM cell of the
    # same people is shown in all years or none, or one year would give another's away.
    _trainees(small, small.im, None, 5, "m")
    page = client_as("inclusion").get(reverse("inclusion:home"))
    assert b"23.1%" in page.content  # 6 of 26 who answered


def test_advancement_rates_hide_what_would_identify_someone(small: SmallInstitution) -> None:
    urim = _trainees(small, small.im, True, 8, "u")
    other = _trainees(small, small.im, False, 20, "o")
    for trainee in urim[:1]:
        AdvancementEvent.objects.create(trainee=trainee, kind="remediation", academic_year=2024)
    for trainee in urim[:5] + other[:6]:
        AdvancementEvent.objects.create(trainee=trainee, kind="chief", academic_year=2024)
    urim[7].status = Trainee.Status.WITHDRAWN
    urim[7].save()
    [year] = advancement_by_year(program=small.im, years=[2024])
    assert year.rates["remediation"]["urim"].count is None  # 1 of 8: never shown
    assert year.rates["chief"]["urim"].pct is None  # 5 of 8 leaves 3: hidden too
    # Whatever else shows, the "not URiM" rates never rest on a small group either.
    for rate in (year.rates["chief"]["other"], year.rates["retained"]["other"]):
        assert rate.count is None or (
            rate.count >= 5 and (rate.of - rate.count == 0 or rate.of - rate.count >= 5)
        )


def test_advancement_page_draws_charts(small: SmallInstitution, client_as) -> None:
    _trainees(small, small.im, True, 6, "u")
    _trainees(small, small.im, False, 20, "o")
    page = client_as("inclusion").get(reverse("inclusion:advancement"), {"program": small.im.pk})
    assert page.content.count(b'<svg class="chart"') == 7
    assert b"Retained (not withdrawn)" in page.content


def test_program_staff_record_milestones_of_their_own_trainees(
    small: SmallInstitution, client_as
) -> None:
    client = client_as("pd.im")
    response = client.post(
        reverse("inclusion:advancement_record"),
        {"trainee": small.ana.pk, "kind": "award", "academic_year": 2025, "note": "Teaching"},
        follow=True,
    )
    assert b"Recorded: Award 2025: Ana Alvarez" in response.content
    response = client.post(
        reverse("inclusion:advancement_record"),
        {"trainee": small.cara.pk, "kind": "award", "academic_year": 2025},
    )
    assert b"Select a valid choice" in response.content
    assert AdvancementEvent.objects.count() == 1
