"""Boards, a policy for Internal Medicine, and leave for the small institution's trainees."""

from __future__ import annotations

from datetime import date, timedelta

from rounds.leave.loader import board_file_parse
from rounds.leave.management.commands.load_boards import SHIPPED
from rounds.leave.models import Board, LeavePolicy
from rounds.leave.services import boards_load
from rounds.people.models import Trainee
from rounds.workhours.models import LeaveSpan
from tests.people import SmallInstitution


def im_policy(small: SmallInstitution, board: str = "abim") -> LeavePolicy:
    boards_load(rules=board_file_parse(SHIPPED.read_text(encoding="utf-8")), source_name="test")
    return LeavePolicy.objects.create(
        program=small.im, board=Board.objects.get(code=board), vacation_days=20, sick_days=10
    )


def leave(trainee: Trainee, kind: str, first: date, days: int) -> LeaveSpan:
    return LeaveSpan.objects.create(
        trainee=trainee, kind=kind, start=first, end=first + timedelta(days=days - 1)
    )


def over_abim(small: SmallInstitution, by: int = 10) -> None:
    """Ana's parental leave: the six weeks the board allows once, then the ABIM's whole
    allowance over three years (105 days), then `by` days more."""
    leave(small.ana, "parental", date(2025, 9, 1), 42 + 105 + by)
