"""Writes to the training record. Each runs in a transaction with its audit entry."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from rounds.core.models import Institution
from rounds.core.services import audit_record
from rounds.lib import today as clock
from rounds.lib.links import absolute
from rounds.people.models import Trainee
from rounds.people.training import history_of
from rounds.record.access import may_sign_letter_for
from rounds.record.models import VerificationLetter
from rounds.record.pdf import letter_pdf
from rounds.record.selectors import letter_facts, letter_kind

# Codes are read aloud and typed: an alphabet without 0/O and 1/I/L, 20 characters (100 bits).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20


class RecordError(Exception):
    """A write refused, with a sentence the person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_normal(code: str) -> str:
    """The code as stored: capitals, dashes and spaces dropped (so "abcd efgh" also matches)."""
    return "".join(ch for ch in code.upper() if ch not in "- ")


def code_digest(code: str) -> str:
    return hashlib.sha256(code_normal(code).encode()).hexdigest()


def letter_issue(
    *, trainee: Trainee, by: Any, code: str | None = None
) -> tuple[VerificationLetter, str]:
    """The director of the trainee's program signs a letter dated today. Returns the letter and
    its verification code, which is not stored and so can be shown only now (and in the PDF).
    `code` is for the demo alone, whose codes come from its seed so they can be printed."""
    day = clock.today()
    history = history_of(trainee)
    if history.start > day:
        raise RecordError(
            f"{trainee.person.full_name} starts training on {history.start:%B %-d, %Y}; "
            "a letter can be issued from that day."
        )
    if not may_sign_letter_for(by, trainee, day):
        raise RecordError(
            "Only the program director of the trainee's program signs a verification letter."
        )
    facts = letter_facts(trainee, day)
    kind = letter_kind(history, day)
    code = code or code_new()
    signer = _signer_name(by)
    institution = Institution.objects.values_list("name", flat=True).first() or "Rounds"
    pdf = letter_pdf(
        facts=facts,
        title=VerificationLetter.Kind(kind).label,
        institution=institution,
        signer=signer,
        issued_on=day,
        code=code,
        verify_url=absolute(f"/verify/{code}/"),
    )
    with transaction.atomic():
        letter = VerificationLetter.objects.create(
            trainee=trainee,
            kind=kind,
            facts=facts,
            code_digest=code_digest(code),
            signed_by=by,
            signer_name=signer,
            signed_at=timezone.now(),
            issued_on=day,
            pdf=pdf,
        )
        audit_record(
            by=by,
            action="letter_sign",
            instance=letter,
            summary=f"{letter.get_kind_display()} for {facts['name']} signed by {signer}",
            changes={"trainee": trainee.pk, "kind": kind},
        )
    return letter, code


def _signer_name(user: Any) -> str:
    """The name as the letter prints it, before ", Program Director"."""
    person = getattr(user, "person", None)
    if person is None:
        return str(user.get_full_name() or user.get_username())
    return person.full_name
