"""Demo training record: verification letters signed by the Internal Medicine director for a
senior resident, for the senior whose training was extended, and for an intern who withdrew.

Their codes come from the seed (real letters draw theirs from `secrets`), so the summary can
print them and the same seed gives the same codes: try /verify/<code>/ signed out.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from rounds.core.models import Program
from rounds.people.models import Trainee, TrainingEvent
from rounds.record.models import VerificationLetter
from rounds.record.services import CODE_ALPHABET, CODE_LENGTH, letter_issue

IM = "Internal Medicine Residency"


def _demo_code(rng: random.Random) -> str:
    raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _letter_trainees(im: Program) -> list[Trainee]:
    """A senior with no dated event, the extended senior, and the intern who withdrew."""
    by_kind = {
        kind: Trainee.objects.filter(program=im, training_events__kind=kind).order_by("pk").first()
        for kind in (TrainingEvent.Kind.EXTENSION, TrainingEvent.Kind.WITHDRAWAL)
    }
    senior = (
        Trainee.objects.filter(program=im, pgy=im.first_pgy + im.length_years - 1)
        .filter(status=Trainee.Status.ACTIVE, training_events__isnull=True)
        .order_by("pk")
        .first()
    )
    found = [senior, *by_kind.values()]
    return [t for t in found if t is not None]


def demo_extend(*, seed: int) -> list[str]:
    im = Program.objects.filter(name=IM).first()
    director = get_user_model().objects.filter(username="pd.im").first()
    if im is None or director is None:
        return []
    rng = random.Random(seed * 97 + 28)
    lines = []
    for trainee in _letter_trainees(im):
        trainee = Trainee.objects.select_related("person", "program").get(pk=trainee.pk)
        letter, code = letter_issue(trainee=trainee, by=director, code=_demo_code(rng))
        lines.append(
            f"record: {letter.get_kind_display().lower()} for {trainee.person.full_name}, "
            f"code {code}."
        )
    return lines


def demo_wipe() -> None:
    VerificationLetter.objects.all().delete()
