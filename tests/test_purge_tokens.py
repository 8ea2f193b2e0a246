"""One-time form tokens older than a day are deleted by `manage.py purge_tokens`, also for people
who never send another form; fresh ones stay, so a double send still writes once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from rounds.core.models import SubmitToken
from rounds.lib.idempotency import new_token
from tests.people import SmallInstitution


def test_purge_tokens_deletes_only_tokens_older_than_a_day(small: SmallInstitution) -> None:
    now = timezone.now()
    made = {}
    for name, user, age in [
        ("gone quiet", small.users["resident"], timedelta(days=3)),
        ("anonymous, old", None, timedelta(hours=25)),
        ("just sent", small.users["resident2"], timedelta(minutes=2)),
    ]:
        token = SubmitToken.objects.create(token=new_token(), scope="x", user=user)
        SubmitToken.objects.filter(pk=token.pk).update(created_at=now - age)  # auto_now_add
        made[name] = token.pk
    out = StringIO()
    call_command("purge_tokens", stdout=out)
    assert out.getvalue().strip() == "Deleted 2 form token(s) older than a day."
    assert list(SubmitToken.objects.values_list("pk", flat=True)) == [made["just sent"]]
