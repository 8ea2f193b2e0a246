"""Random sequences of real CCC writes (consensus by several people, stale forms, sign-off,
corrections); after every step the committee's levels are exactly what the accepted writes said,
nothing signed changed except by a reasoned correction, and every accepted change is audited.

The test keeps its own model of the levels, updated only when a service accepted the write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.core.models import AuditEntry
from rounds.lib.today import today_is
from rounds.milestones.levels import LEVELS
from rounds.milestones.models import CommitteeReview, ConsensusRating
from rounds.milestones.selectors import consensus_levels, export_rows
from rounds.milestones.services import (
    ReviewError,
    consensus_correct,
    consensus_save,
    review_sign_off,
)
from tests.milestones_setup import build_committee

DAY = date(2026, 12, 20)  # during the first half
CHOICES: list[Decimal | None] = [*LEVELS, None]
PEOPLE = ("faculty", "pd.im", "coord.im")

level = st.sampled_from(CHOICES)
operation = st.one_of(
    st.tuples(st.just("agree"), st.sampled_from(PEOPLE), st.integers(0, 1), st.integers(0, 19),
              level, st.booleans()),
    st.tuples(st.just("agree_all"), st.integers(0, 1), level),
    st.tuples(st.just("sign"),),
    st.tuples(st.just("correct"), st.integers(0, 1), st.integers(0, 19), level,
              st.sampled_from(["", "late ICU evaluation"])),
)  # fmt: skip


@dataclass
class Model:
    levels: dict[tuple[int, int], Decimal | None] = field(default_factory=dict)
    rows: int = 0
    signed: bool = False
    audited: int = 0


def test_levels_are_what_accepted_writes_said_and_signed_ones_change_only_by_correction(
    small,
) -> None:  # type: ignore[no-untyped-def]
    with today_is(DAY):
        ccc = build_committee(small)
    residents = [small.ana, small.ben]
    subs = ccc.subs

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    # Half the sequences start with a complete, signed-off review, so corrections get exercised.
    @given(st.booleans(), st.lists(operation, min_size=1, max_size=12))
    def run(signed_first: bool, ops: list[tuple[Any, ...]]) -> None:
        if signed_first:
            ops = [("agree_all", 0, Decimal(2)), ("agree_all", 1, None), ("sign",), *ops]
        with transaction.atomic(), today_is(DAY):
            model = Model()
            audit_start = AuditEntry.objects.filter(action__startswith="ccc.").count()
            for op in ops:
                step(op, model)
                check(model, audit_start)
            transaction.set_rollback(True)

    def review() -> CommitteeReview:
        return CommitteeReview.objects.get(pk=ccc.review.pk)

    def step(op: tuple[Any, ...], model: Model) -> None:
        kind = op[0]
        try:
            if kind == "agree":
                _, who, t, s, lvl, stale = op
                trainee, sub = residents[t], subs[s]
                current = consensus_levels(review(), [trainee.pk]).get((trainee.pk, sub.pk))
                seen = None if stale else (current.pk if current else None)
                n = consensus_save(review=review(), trainee=trainee, levels={sub: lvl},
                                   seen={sub.pk: seen}, by=small.users[who])  # fmt: skip
                assert not model.signed and not (stale and current is not None)
                apply(model, {(trainee.pk, sub.pk): lvl}, n)
            elif kind == "agree_all":
                _, t, lvl = op
                trainee = residents[t]
                every = dict.fromkeys(subs, lvl)
                n = consensus_save(review=review(), trainee=trainee, levels=every, seen={},
                                   by=small.users["pd.im"])  # fmt: skip
                assert not model.signed
                apply(model, {(trainee.pk, s.pk): lvl for s in subs}, n)
            elif kind == "sign":
                review_sign_off(review=review(), by=small.users["pd.im"])
                assert not model.signed and len(model.levels) == len(residents) * len(subs)
                model.signed = True
                model.audited += 1
            else:
                _, t, s, lvl, reason = op
                trainee, sub = residents[t], subs[s]
                consensus_correct(review=review(), trainee=trainee, subcompetency=sub, level=lvl,
                                  reason=reason, by=small.users["pd.im"])  # fmt: skip
                key = (trainee.pk, sub.pk)
                assert model.signed and reason and model.levels.get(key, "none") != lvl
                apply(model, {key: lvl}, 1)
        except ReviewError as error:
            refused(op, model, error.message)

    def apply(model: Model, changes: dict[tuple[int, int], Decimal | None], n: int) -> None:
        changed = {k: v for k, v in changes.items() if model.levels.get(k, "none") != v}
        assert n == len(changed)
        model.levels.update(changed)
        model.rows += len(changed)
        model.audited += 1 if changed else 0

    def refused(op: tuple[Any, ...], model: Model, message: str) -> None:
        """A refusal must be one the rules call for, with a message that says which."""
        if model.signed and op[0] in ("agree", "agree_all", "sign"):
            assert "levels are read-only" in message
        elif op[0] == "agree":
            assert "while you were editing" in message
        elif op[0] == "sign":
            assert "still lack a consensus" in message
        else:
            assert (
                (not model.signed and "not signed off yet" in message)
                or "needs a reason" in message
                or "already at that level" in message
            ), message

    def check(model: Model, audit_start: int) -> None:
        current = {k: r.level for k, r in consensus_levels(review()).items()}
        assert current == model.levels
        assert ConsensusRating.objects.filter(review=ccc.review).count() == model.rows
        assert review().is_signed_off == model.signed
        audited = AuditEntry.objects.filter(action__startswith="ccc.").count() - audit_start
        assert audited == model.audited
        exported = {(row[0], row[3]): row[4] for row in export_rows(review())}
        for (trainee_id, sub_id), lvl in model.levels.items():
            code = next(s.code for s in subs if s.pk == sub_id)
            shown = "NYA" if lvl is None else str(lvl.normalize() if lvl % 1 == 0 else lvl)
            assert exported[(trainee_id, code)] == shown

    run()
