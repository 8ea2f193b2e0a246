"""The switchboard's on-call list: now or on a day, by site and service, trainees and the attending,
phone and pager shown to operators and staff, to colleagues only when the person shares them;
and a program's call month as a PDF that opens and lists the month's shifts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from rounds.assessment.models import TeachingAssignment
from rounds.people.models import Faculty, Person, Role, RoleAssignment
from rounds.schedules.models import CallAssignment, CallSchedule, Rotation
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution, _user
from tests.schedules_setup import build_schedules


def _now_shift(small: SmallInstitution) -> CallAssignment:
    """Ana on a published night shift at the sponsoring hospital, in progress right now."""
    now = timezone.now()
    month = CallSchedule.objects.create(
        program=small.im, month=now.date().replace(day=1), status="published",
        published_at=now,
    )  # fmt: skip
    return CallAssignment.objects.create(
        schedule=month, trainee=small.ana, day=now.date(), start=now - dt.timedelta(hours=2),
        end=now + dt.timedelta(hours=10), kind="night_float", label="Night float",
        service="General medicine", site=small.sponsor,
    )  # fmt: skip


def _numbers(small: SmallInstitution, share: bool) -> None:
    person = small.ana.person
    person.phone, person.pager, person.share_contact = "+1 212 555 0147", "4471", share
    person.save()


@pytest.fixture
def switchboard(small: SmallInstitution) -> Client:
    user, _person = _user("operator", Person.Kind.STAFF, "Olga", "Operator")
    RoleAssignment.objects.create(user=user, role=Role.SWITCHBOARD)
    client = Client()
    client.force_login(user)
    return client


def test_operators_and_staff_see_numbers_colleagues_only_when_shared(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, switchboard: Client
) -> None:
    _now_shift(small)
    _numbers(small, share=False)
    url = reverse("schedules:on_call") + f"?site={small.sponsor.slug}"
    for client in (switchboard, client_as("coord.im"), client_as("gme"), client_as("resident")):
        page = client.get(url).content.decode()
        assert "General medicine" in page and "Ana Alvarez" in page
        assert "tel:+12125550147" in page and "Pager 4471" in page
    ben = client_as("resident2").get(url).content.decode()
    assert "Ana Alvarez" in ben and "numbers not shared" in ben
    assert "555 0147" not in ben and "4471" not in ben
    _numbers(small, share=True)
    assert "Pager 4471" in client_as("resident2").get(url).content.decode()
    # The switchboard's work link is the on-call list; people without a clinical role get none.
    assert reverse("schedules:on_call") in switchboard.get(reverse("public:home")).content.decode()
    for username in ("nobody", "wellness", "inclusion"):
        assert client_as(username).get(url).status_code == 403


def test_the_attending_comes_from_teaching_assignments_or_is_said_not_recorded(  # type: ignore[no-untyped-def]
    small: SmallInstitution, switchboard: Client
) -> None:
    _now_shift(small)
    url = reverse("schedules:on_call")
    assert 'Attending:</strong> <span class="muted">attending not recorded' in (
        switchboard.get(url).content.decode()
    )
    wards = Rotation.objects.create(name="Wards", service="General medicine", site=small.sponsor)
    today_here = timezone.localdate()

    def attending(first: str, last: str, pager: str, days: tuple[int, int]) -> None:
        person = Person.objects.create(
            kind=Person.Kind.FACULTY, first_name=first, last_name=last,
            email=f"{first}@example.org", pager=pager,
        )  # fmt: skip
        TeachingAssignment.objects.create(
            program=small.im, faculty=Faculty.objects.create(person=person), rotation=wards,
            first_day=today_here + dt.timedelta(days=days[0]),
            last_day=today_here + dt.timedelta(days=days[1]),
        )  # fmt: skip

    attending("Farah", "Faruqi", "7001", (-3, 3))
    attending("Gil", "Grant", "7002", (-1, 0))
    attending("Hana", "Hill", "7003", (1, 7))  # next week's attending is not tonight's
    page = switchboard.get(url).content.decode()
    assert "Farah Faruqi" in page and "Pager 7001" in page
    assert "Gil Grant" in page and "Pager 7002" in page
    assert "Hana Hill" not in page and "attending not recorded" not in page


def test_any_day_lists_that_call_day_and_the_print_button_is_there(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    build_schedules(small)
    month = hand_month(small, status="published")
    bens = shift(month, small.ben, 6)
    shift(month, small.ana, 7)
    url = reverse("schedules:on_call") + f"?date={bens.day.isoformat()}"
    page = client_as("coord.im").get(url).content.decode()
    assert f"On call {bens.day:%A %B} {bens.day.day}" in page
    assert "Ben Baker" in page and "Ana Alvarez" not in page and "data-print" in page
    assert "no number on file" in page


def test_the_call_month_pdf_opens_and_lists_every_shift(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    build_schedules(small)
    month = hand_month(small, status="published")
    small.ana.person.last_name = "Ålvarez-Łukasiewicz"  # letters beyond Latin-1 still print
    small.ana.person.save()
    days = [shift(month, small.ana, 2), shift(month, small.ben, 5, "N"), shift(month, small.ana, 9)]
    url = reverse("schedules:call_month_pdf", args=[small.im.pk, f"{month.month:%Y-%m}"])
    response = client_as("coord.im").get(url)
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert f"Internal Medicine Residency: call schedule, {month.month:%B %Y}" in text
    assert text.count("24h call") == 2 and text.count("Night float") == 1
    for s in days:
        assert f"{s.day:%a %d}" in text
    assert "Ben Baker" in text and "ukasiewicz" in text
    # Linked from the trainee's call page; its own trainees and staff may print it, others not.
    assert url in client_as("resident").get(reverse("schedules:my_calls")).content.decode()
    assert client_as("resident2").get(url).status_code == 200
    for username in ("pd.cards", "fellow"):
        assert client_as(username).get(url).status_code == 404
    assert client_as("nobody").get(url).status_code == 403
    draft_month = f"{(month.month + dt.timedelta(days=40)):%Y-%m}"
    none = reverse("schedules:call_month_pdf", args=[small.im.pk, draft_month])
    assert client_as("coord.im").get(none).status_code == 404
