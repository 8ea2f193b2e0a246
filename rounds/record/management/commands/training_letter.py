"""`manage.py training_letter TRAINEE_ID -o FILE.pdf [--by USERNAME]`: sign a verification
letter for one trainee, write its PDF, and print its verification code as the last line (so a
batch script can read it with `tail -1`).

The letter is signed by a program director of the trainee's program: `--by`, or else the
director recorded on the program (Program.director) when that person has an account and the role.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from rounds.people.models import Trainee
from rounds.record.services import RecordError, letter_issue


class Command(BaseCommand):
    help = "Sign a verification letter for a trainee, write the PDF, print its code last."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("trainee_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="Where to write the PDF.")
        parser.add_argument("--by", help="Username of the signing program director.")

    def handle(self, *args: Any, trainee_id: int, output: str, by: str | None, **kw: Any) -> None:
        trainee = Trainee.objects.select_related("person", "program__director__user").filter(
            pk=trainee_id
        )
        found = trainee.first()
        if found is None:
            raise CommandError(f"No trainee has the id {trainee_id}. Nothing was written.")
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist. Nothing was written.")
        signer = self._signer(found, by)
        try:
            letter, code = letter_issue(trainee=found, by=signer)
        except RecordError as error:
            raise CommandError(f"{error.message} Nothing was written.") from error
        path.write_bytes(bytes(letter.pdf))
        self.stdout.write(f"Wrote the {letter.get_kind_display().lower()} to {path}.")
        self.stdout.write(code)

    def _signer(self, trainee: Trainee, username: str | None) -> Any:
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No account has the username {username!r}.")
            return user
        director = trainee.program.director
        if director is None or director.user is None:
            raise CommandError(
                f"{trainee.program} has no program director with an account on record; "
                "name the signer with --by USERNAME. Nothing was written."
            )
        return director.user
