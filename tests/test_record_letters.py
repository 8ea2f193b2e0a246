"""Verification letters: signed by the director from the dated training history, written as a
PDF whose text says the dates and the program, and checked by a credentialing office with the
code alone at /verify/<code>/ (any other code: a plain 404)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pypdf import PdfReader

from rounds.people.models import Trainee, TrainingEvent
from rounds.record import views
from rounds.record.models import VerificationLetter
from rounds.record.services import code_new
from tests.people import SmallInstitution


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # Lines wrap where the page ends them: compare the words, not the line breaks.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def letter_by_command(trainee: Trainee, tmp_path: Path, *extra: str) -> tuple[str, str]:
    """(the PDF's text, the code printed last)."""
    out = io.StringIO()
    target = tmp_path / "letter.pdf"
    call_command("training_letter", str(trainee.pk), "-o", str(target), *extra, stdout=out)
    code = out.getvalue().strip().splitlines()[-1]
    return pdf_text(target.read_bytes()), code


def leave_and_extension(trainee: Trainee) -> None:
    TrainingEvent.objects.create(
        trainee=trainee,
        kind=TrainingEvent.Kind.LEAVE,
        effective_date=date(2026, 1, 5),
        end_date=date(2026, 2, 15),
        reason="parental leave",
    )
    TrainingEvent.objects.create(
        trainee=trainee,
        kind=TrainingEvent.Kind.EXTENSION,
        effective_date=date(2026, 3, 1),
        end_date=date(2029, 8, 31),
    )


@pytest.mark.django_db
def test_the_command_writes_a_letter_whose_pdf_states_dates_program_leave_and_extension(
    small: SmallInstitution, tmp_path: Path
) -> None:
    leave_and_extension(small.ana)
    text, code = letter_by_command(small.ana, tmp_path, "--by", "pd.im")
    assert "Verification of training" in text
    assert "Internal Medicine Residency" in text
    assert "1401100001" in text
    assert "Ana Alvarez" in text
    assert "July 1, 2025" in text and "June 30, 2026" in text  # start, and through the letter's day
    assert "January 5, 2026 to February 15, 2026 (42 days)" in text
    assert "extended on March 1, 2026 to August 31, 2029" in text
    assert code.replace("-", "") in text.replace("-", "").replace(" ", "")
    letter = VerificationLetter.objects.get()
    assert letter.signed_by == small.users["pd.im"]
    assert code not in str(letter.code_digest)  # only a digest is stored


@pytest.mark.django_db
def test_a_completed_trainee_gets_a_certificate_of_completion(
    small: SmallInstitution, tmp_path: Path
) -> None:
    TrainingEvent.objects.create(
        trainee=small.cara, kind=TrainingEvent.Kind.COMPLETION, effective_date=date(2026, 6, 26)
    )
    text, code = letter_by_command(small.cara, tmp_path, "--by", "pd.cards")
    assert "Certificate of completion of training" in text
    assert "completed training on June 26, 2026" in text
    assert "Cardiovascular Disease Fellowship" in text
    page = Client().get(f"/verify/{code}/")
    assert "completed training on June 26, 2026" in page.content.decode()


@pytest.mark.django_db
def test_verify_page_confirms_the_letters_facts_to_anyone_with_the_code(
    small: SmallInstitution, tmp_path: Path
) -> None:
    leave_and_extension(small.ana)
    _, code = letter_by_command(small.ana, tmp_path, "--by", "pd.im")
    page = Client().get(f"/verify/{code}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "This letter is genuine" in body
    assert "Ana Alvarez" in body and "Internal Medicine Residency" in body
    assert "January 5, 2026 to February 15, 2026" in body
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    # Typed by hand: small letters, no dashes.
    assert Client().get(f"/verify/{code.replace('-', '').lower()}/").status_code == 200
    # Nothing but the letter: no link into her record, no PGY level of today beyond the letter.
    assert f"/record/trainees/{small.ana.pk}/" not in body
    assert "/record/letters/" not in body


@pytest.mark.django_db
def test_any_other_code_is_a_plain_404(small: SmallInstitution, tmp_path: Path) -> None:
    _, code = letter_by_command(small.ana, tmp_path, "--by", "pd.im")
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    for attempt in (wrong, code_new(), "x", "1"):
        page = Client().get(f"/verify/{attempt}/")
        assert page.status_code == 404
        assert "Ana" not in page.content.decode()


@pytest.mark.django_db
def test_guessing_codes_is_throttled_per_address(
    small: SmallInstitution, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, code = letter_by_command(small.ana, tmp_path, "--by", "pd.im")
    monkeypatch.setattr(views, "VERIFY_PER_ADDRESS", 3)
    client = Client()
    assert [client.get(f"/verify/{code_new()}/").status_code for _ in range(3)] == [404] * 3
    refused = client.get(f"/verify/{code}/")
    assert refused.status_code == 429
    assert "Wait ten minutes" in refused.content.decode()
    other_network = Client(REMOTE_ADDR="10.9.9.9")
    assert other_network.get(f"/verify/{code}/").status_code == 200


@pytest.mark.django_db
def test_the_command_signs_for_the_recorded_director_or_refuses_with_nothing_written(
    small: SmallInstitution, tmp_path: Path
) -> None:
    target = tmp_path / "letter.pdf"
    with pytest.raises(CommandError, match="no program director with an account"):
        call_command("training_letter", str(small.ana.pk), "-o", str(target))
    with pytest.raises(CommandError, match="Only the program director"):
        call_command("training_letter", str(small.ana.pk), "-o", str(target), "--by", "coord.im")
    with pytest.raises(CommandError, match="No trainee has the id"):
        call_command("training_letter", "999999", "-o", str(target))
    assert not target.exists() and not VerificationLetter.objects.exists()
    small.im.director = small.users["pd.im"].person
    small.im.save()
    _, code = letter_by_command(small.ana, tmp_path)
    assert len(code.replace("-", "")) == 20


@pytest.mark.django_db
def test_an_incoming_trainee_gets_no_letter_and_a_clear_message(client_as, small) -> None:
    small.ben.start_date = date(2026, 7, 1)
    small.ben.save()
    page = client_as("pd.im").post(f"/record/trainees/{small.ben.pk}/letters/sign/")
    assert page.status_code == 400
    assert "starts training on July 1, 2026" in page.content.decode()
    assert not VerificationLetter.objects.exists()


@pytest.mark.django_db
def test_the_director_signs_once_per_form_and_sees_the_code(client_as, small) -> None:
    director = client_as("pd.im")
    page = director.get(f"/record/trainees/{small.ana.pk}/")
    assert "Sign and issue the letter" in page.content.decode()
    form = {"submit_token": "t" * 24}
    first = director.post(f"/record/trainees/{small.ana.pk}/letters/sign/", form)
    again = director.post(f"/record/trainees/{small.ana.pk}/letters/sign/", form)
    assert first.status_code == 200 and again.status_code == 302
    assert VerificationLetter.objects.count() == 1
    code = first.context["code"]
    assert code in first.content.decode()
    assert Client().get(f"/verify/{code}/").status_code == 200
    for username in ("coord.im", "gme", "resident"):
        page = client_as(username).get(f"/record/trainees/{small.ana.pk}/")
        assert "Sign and issue" not in page.content.decode()


@pytest.mark.django_db
def test_a_withdrawal_is_stated_and_a_name_outside_latin1_is_folded_not_refused(
    small: SmallInstitution, tmp_path: Path
) -> None:
    small.ana.person.last_name = "Nguyễn"
    small.ana.person.save()
    TrainingEvent.objects.create(
        trainee=small.ana, kind=TrainingEvent.Kind.WITHDRAWAL, effective_date=date(2026, 3, 31)
    )
    text, code = letter_by_command(small.ana, tmp_path, "--by", "pd.im")
    assert "withdrew from it; the last day of training was March 31, 2026" in text
    assert "Ana Nguyen trained in this program from July 1, 2025" in text
    page = Client().get(f"/verify/{code}/").content.decode()
    assert "Ana Nguyễn" in page  # the page keeps the name as recorded
