"""Whatever is logged, verified, returned and corrected, in any order, the progress counts are
the verified entries per procedure and role: those not replaced by a verified correction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rounds.caselogs.models import CaseLog, CaseRole, roles_at_least
from rounds.caselogs.selectors import counts_of, progress_of
from rounds.caselogs.services import CaseLogError, caselog_log, caselog_return, caselog_verify
from tests.caselogs_setup import build_case_logs
from tests.people import SmallInstitution

ROLES = CaseRole.values
op = st.one_of(
    st.tuples(st.just("log"), st.integers(0, 2), st.sampled_from(ROLES)),
    st.tuples(st.just("verify"), st.integers(0, 30), st.just("")),
    st.tuples(st.just("return"), st.integers(0, 30), st.just("")),
    st.tuples(st.just("correct"), st.integers(0, 30), st.sampled_from(ROLES)),
)


@dataclass
class Model:
    """What a person would count by hand: entry id -> (procedure, role, status, corrects)."""

    rows: dict[int, list[object]]

    def expected(self) -> Counter[tuple[int, str]]:
        replaced = {
            row[3] for row in self.rows.values() if row[2] == "verified" and row[3] is not None
        }
        return Counter(
            (row[0], row[1])  # type: ignore[misc]
            for pk, row in self.rows.items()
            if row[2] == "verified" and pk not in replaced
        )


def test_progress_counts_are_the_standing_verified_entries(
    small: SmallInstitution,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    c = build_case_logs(small, settings)
    ana, by = small.ana, small.users["resident"]
    faculty = small.users["faculty"]
    procedures = [c.paracentesis, c.central_line, c.paracentesis.specialty.procedures.last()]

    @hypothesis_settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(st.lists(op, min_size=1, max_size=12))
    def sequence(ops: list[tuple[str, int, str]]) -> None:
        model = Model({})
        with transaction.atomic():
            for kind, n, role in ops:
                entries = sorted(model.rows)
                target = CaseLog.objects.get(pk=entries[n % len(entries)]) if entries else None
                try:
                    if kind == "log":
                        entry = caselog_log(
                            trainee=ana,
                            by=by,
                            day=c.today,
                            procedure=procedures[n],
                            role=role,
                            supervisor=c.a.faculty,
                        )
                        model.rows[entry.pk] = [procedures[n].pk, role, "pending", None]
                    elif target is None:
                        continue
                    elif kind == "verify":
                        caselog_verify(entry=target, by=faculty)
                        model.rows[target.pk][2] = "verified"
                    elif kind == "return":
                        caselog_return(entry=target, by=faculty, comment="not so")
                        model.rows[target.pk][2] = "returned"
                    else:
                        entry = caselog_log(
                            trainee=ana,
                            by=by,
                            day=c.today,
                            procedure=target.procedure,
                            role=role,
                            supervisor=c.a.faculty,
                            corrects=target,
                        )
                        model.rows[entry.pk] = [target.procedure_id, role, "pending", target.pk]
                except CaseLogError:
                    pass  # refused (already decided, not correctable): the model is unchanged
            verified, _ = counts_of(ana)
            assert verified == model.expected()
            for row in progress_of(ana, c.today):
                for m in row.minimums:
                    wanted = sum(
                        model.expected()[(row.procedure.pk, r)]
                        for r in roles_at_least(m.minimum.role)
                    )
                    assert m.verified == wanted
            transaction.set_rollback(True)

    sequence()
