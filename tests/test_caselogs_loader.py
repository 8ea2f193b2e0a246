"""Procedure lists from CSV files: a bad file loads nothing and says where each problem is."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rounds.caselogs.models import CaseLog, Minimum, Procedure
from rounds.caselogs.services import caselog_log
from tests.caselogs_setup import build_case_logs
from tests.people import SmallInstitution

HEADER = "specialty,category,code,procedure,role,by_pgy,minimum\n"


def _file(tmp_path: Path, body: str, name: str = "list.csv") -> str:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_the_shipped_list_loads_for_the_specialties_the_institution_has(
    small: SmallInstitution, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_procedures")
    assert Procedure.objects.filter(specialty=small.internal_medicine, code="paracentesis").exists()
    assert not Procedure.objects.exclude(specialty=small.internal_medicine).exists()
    central = Procedure.objects.get(code="central-line")
    assert {(m.role, m.by_pgy, m.count) for m in central.minimums.all()} == {
        ("performed", 3, 5),
        ("observed", 1, 2),
    }
    assert "procedures with" in capsys.readouterr().out


def test_a_file_with_problems_loads_nothing_and_names_file_line_and_column(
    small: SmallInstitution, tmp_path: Path
) -> None:
    name = _file(
        tmp_path,
        "140,Bedside,paracentesis,Paracentesis,performed,3,5\n"
        "999,Bedside,thing,Thing,,,\n"
        "140,Bedside,Bad Code,Thing,,,\n"
        "140,Bedside,tap,Tap,juggled,3,5\n"
        "140,Bedside,tap2,Tap two,performed,three,0\n"
        "140,Bedside,paracentesis,Paracentesis,performed,3,6\n",
    )
    with pytest.raises(CommandError) as error:
        call_command("load_procedures", name)
    assert str(error.value).splitlines()[1:] == [
        f"  {name}, line 3, column specialty: no specialty with the ACGME code or name '999'",
        f"  {name}, line 4, column code: must be lower-case letters, digits and dashes "
        "(found 'Bad Code')",
        f"  {name}, line 5, column role: must be one of observed, assisted, performed, "
        "supervised (found 'juggled')",
        f"  {name}, line 6, column by_pgy: must be a whole number from 1 to 10 (found 'three')",
        f"  {name}, line 6, column minimum: must be a whole number from 1 to 999 (found '0')",
        f"  {name}, line 7, column role: this minimum (role and by_pgy) is given twice",
    ]
    assert not Procedure.objects.exists() and not Minimum.objects.exists()


def test_wrong_columns_are_named(small: SmallInstitution, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,count\nA,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1: the columns must be specialty,category"):
        call_command("load_procedures", str(path))


def test_a_reload_keeps_logged_procedures_but_stops_offering_dropped_ones(
    small: SmallInstitution, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    c = build_case_logs(small, settings)
    caselog_log(trainee=small.ana, by=None, day=c.today, procedure=c.paracentesis,
                role="performed", supervisor=c.a.faculty)  # fmt: skip
    call_command(
        "load_procedures", _file(tmp_path, "140,Bedside,thoracentesis,Tap,performed,2,4\n")
    )
    c.paracentesis.refresh_from_db()
    assert not c.paracentesis.active and CaseLog.objects.get().procedure == c.paracentesis
    tap = Procedure.objects.get(specialty=small.internal_medicine, code="thoracentesis")
    assert (tap.name, tap.active, tap.minimums.get().count) == ("Tap", True, 4)
