"""Demo training record: verification letters signed by the Internal Medicine director for a
senior resident, for the senior whose training was extended, and for an intern who withdrew;
Internal Medicine's required credentials (training licence, BLS, ACLS) held by its residents,
the demo "resident"'s ACLS expiring in three weeks, one ACLS lapsed and two never recorded;
onboarding checklists (the institution's and Internal Medicine's) assigned to every incoming
trainee, with a few of next year's Internal Medicine interns part-way through.

Their codes come from the seed (real letters draw theirs from `secrets`), so the summary can
print them and the same seed gives the same codes: try /verify/<code>/ signed out.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from rounds.core.models import Program
from rounds.lib import today as clock
from rounds.people.models import Trainee, TrainingEvent
from rounds.record.models import (
    Credential,
    CredentialRequirement,
    CredentialType,
    OnboardingItem,
    OnboardingTask,
    VerificationLetter,
)
from rounds.record.services import (
    CODE_ALPHABET,
    CODE_LENGTH,
    RecordError,
    letter_issue,
    onboarding_assign,
)

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
    lines = [_credentials(im, rng), _onboarding(im)]
    for trainee in _letter_trainees(im):
        trainee = Trainee.objects.select_related("person", "program").get(pk=trainee.pk)
        try:
            letter, code = letter_issue(trainee=trainee, by=director, code=_demo_code(rng))
        except RecordError as error:  # a small demo scale may lack one of these trainees
            lines.append(f"record: no letter for {trainee.person.full_name} ({error.message})")
            continue
        lines.append(
            f"record: {letter.get_kind_display().lower()} for {trainee.person.full_name}, "
            f"code {code}."
        )
    return lines


def _credentials(im: Program, rng: random.Random) -> str:
    """Rows written in bulk (the demo's own data, no audit entries) to keep the demo fast."""
    types = {t.code: t for t in CredentialType.objects.all()}
    for code in ("training-licence", "bls", "acls"):
        CredentialRequirement.objects.get_or_create(program=im, credential_type=types[code])
    today = clock.today()
    residents = list(
        Trainee.objects.filter(program=im, status=Trainee.Status.ACTIVE)
        .select_related("person__user")
        .order_by("pk")
    )
    named = [t for t in residents if t.person.user and t.person.user.username == "resident"]
    if len(residents) < 4:
        return "record: no credentials (too few Internal Medicine residents at this scale)"
    demo = (named or residents)[0]
    others = [t for t in residents if t is not demo]
    lapsed, *missing = rng.sample(others, 3)
    rows = []
    for trainee in residents:
        expiries = {
            "training-licence": today.replace(month=6, day=30)
            if today.month < 7
            else today.replace(year=today.year + 1, month=6, day=30),
            "bls": today + timedelta(days=rng.randint(120, 700)),
            "acls": today + timedelta(days=rng.randint(90, 700)),
        }
        if trainee is demo:
            expiries["acls"] = today + timedelta(days=21)
        if trainee is lapsed:
            expiries["acls"] = today - timedelta(days=5)
        if trainee in missing:
            del expiries["acls"]
        for code, expires in expiries.items():
            issuer = (
                "State Medical Board"
                if code == "training-licence"
                else "American Heart Association"
            )
            rows.append(
                Credential(
                    trainee=trainee,
                    credential_type=types[code],
                    number=f"{code[:3].upper()}-{rng.randint(100000, 999999)}",
                    issuer=issuer,
                    expires_on=expires,
                )
            )
    Credential.objects.bulk_create(rows)
    return (
        f"record: {len(rows)} credentials of {len(residents)} {IM} residents; "
        f"{demo.person.full_name}'s ACLS expires in 21 days, one ACLS lapsed, two missing."
    )


def _onboarding(im: Program) -> str:
    items = [
        OnboardingItem(title="Privacy and HIPAA module", kind="module", days_before_start=14),
        OnboardingItem(title="Employee health form", kind="form", days_before_start=21),
        OnboardingItem(
            program=im,
            title="Copy of your training licence",
            kind="document",
            instructions="A scan or photo of the licence the state board sent you.",
            days_before_start=30,
        ),
        OnboardingItem(program=im, title="EHR access agreement", kind="form", days_before_start=14),
    ]
    OnboardingItem.objects.bulk_create(items)
    today = clock.today()
    made = onboarding_assign(day=today)
    interns = list(
        OnboardingTask.objects.filter(trainee__program=im, item__kind="module")
        .values_list("trainee_id", flat=True)
        .order_by("trainee_id")
    )
    started = interns[: max(1, len(interns) // 3)]
    OnboardingTask.objects.filter(trainee_id__in=started, item__kind="module").update(
        done_at=timezone.now()
    )
    return (
        f"record: {made} onboarding items assigned to incoming trainees; "
        f"{len(started)} Internal Medicine interns part-way through."
    )


def demo_wipe() -> None:
    OnboardingTask.objects.all().delete()
    OnboardingItem.objects.all().delete()
    VerificationLetter.objects.all().delete()
    Credential.objects.all().delete()
    CredentialRequirement.objects.all().delete()
