"""An anonymous concern sent twice (a double click, a resubmit after a slow answer) is raised once,
and the second answer shows the same private code, since a browser shows only the last answer.
Nothing about the send is stored: no token row, nothing on the concern beyond its code's digest;
after the day the same form raises a new concern and no longer leads to the first one's code."""

from __future__ import annotations

import re
from datetime import date

from django.test import Client

from rounds.concerns.models import Concern, ConcernMessage
from rounds.concerns.services import code_digest, code_for_form
from rounds.core.models import SubmitToken
from rounds.lib.idempotency import new_token
from rounds.lib.today import today_is
from tests.people import SmallInstitution

FORM = {
    "anonymous": "1",
    "category": "mistreatment",
    "subject": "Shouting on nights",
    "body": "Attending shouts at interns on nights.",
    "program": "",
}


def send(client: Client, token: str, **changes: str) -> str:
    response = client.post("/concerns/", {**FORM, **changes, "submit_token": token})
    assert response.status_code == 200
    match = re.search(r'<p class="code-box" id="code">([A-Z2-7-]+)</p>', response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


def test_the_same_form_sent_twice_raises_one_concern_and_shows_its_code_both_times(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    resident = client_as("resident")
    token = new_token()
    first = send(resident, token)
    second = send(resident, token)

    assert first == second
    (concern,) = Concern.objects.all()
    assert ConcernMessage.objects.filter(concern=concern).count() == 1
    # The code opens the one conversation, from any browser.
    thread = Client().post("/concerns/return/", {"code": first}).content.decode()
    assert "Attending shouts at interns on nights." in thread
    # Nothing stored ties the send to the reporter: no token row, no user, no time.
    assert not SubmitToken.objects.exists()
    assert concern.reporter is None and concern.code_digest == code_digest(first)
    assert token not in repr(list(Concern.objects.values()))


def test_a_form_sent_again_with_other_words_is_a_concern_of_its_own(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    resident = client_as("resident")
    token = new_token()
    first = send(resident, token)
    other = send(resident, token, body="And the pagers do not work on 5 West.")

    assert first != other
    assert Concern.objects.count() == 2


def test_after_the_day_the_same_form_no_longer_leads_to_the_first_code(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    resident = client_as("resident")
    token = new_token()
    with today_is(date(2026, 6, 30)):
        first = send(resident, token)
    with today_is(date(2026, 7, 1)):
        later = send(resident, token)

    assert later != first and Concern.objects.count() == 2
    assert code_for_form(token, date(2026, 7, 1)) == later


def test_two_people_with_their_own_forms_raise_two_concerns(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    a = send(client_as("resident"), new_token())
    b = send(client_as("resident2"), new_token())
    assert a != b and Concern.objects.count() == 2
