"""Loading milestone sets from files: the shipped files load; a bad file loads nothing and says
what is wrong and where."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from rounds.milestones.levels import LevelError, level_label, level_parse, level_short
from rounds.milestones.models import MilestoneSet, Subcompetency
from tests.people import SmallInstitution

DATA = Path(__file__).resolve().parent.parent / "rounds" / "milestones" / "data"


def load_shipped() -> None:
    call_command(
        "load_milestones", str(DATA / "harmonized.json"), str(DATA / "internal-medicine.json")
    )


def write(tmp_path: Path, content: Any, name: str = "set.json") -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def small_set(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "rounds-milestones/1",
        "specialty": "cardiovascular-disease",
        "version": "1",
        "title": "Cardiology milestones",
        "effective_from": "2026-07-01",
        "competencies": [
            {
                "code": "PC",
                "title": "Patient care",
                "subcompetencies": [
                    {"code": "PC1", "title": "Ward care", "levels": ["a", "b", "c", "d", "e"]},
                    {"code": "PC2", "title": "Clinic care"},
                ],
            }
        ],
    }
    data.update(changes)
    return data


def test_the_shipped_files_load_with_im_including_the_harmonized_set(
    small: SmallInstitution,
) -> None:
    load_shipped()
    harmonized = MilestoneSet.objects.get(specialty=None)
    im = MilestoneSet.objects.get(specialty=small.internal_medicine)
    assert im.harmonized_set == harmonized
    shared = Subcompetency.objects.filter(competency__milestone_set=harmonized)
    assert {s.code for s in shared} >= {"SBP1", "PBLI1", "PROF1", "ICS1"}
    assert all(s.harmonized and len(s.level_descriptions) == 5 for s in shared)
    own = Subcompetency.objects.filter(competency__milestone_set=im)
    assert {s.code[:2] for s in own} == {"PC", "MK"}
    assert not any(s.harmonized for s in own)


def test_a_file_with_several_problems_lists_each_with_where_and_loads_nothing(
    small: SmallInstitution, tmp_path: Path
) -> None:
    data = small_set(effective_from="July 2026", colour="red")
    subs = data["competencies"][0]["subcompetencies"]
    subs[1]["code"] = "PC1"
    subs.append({"code": "MK1", "title": "Misplaced", "levels": ["only one"]})
    with pytest.raises(CommandError) as caught:
        call_command("load_milestones", write(tmp_path, data))
    message = str(caught.value)
    assert "effective_from: must be a date as YYYY-MM-DD" in message
    assert "unknown field 'colour'" in message
    assert "competencies[0].subcompetencies[1].code: PC1 is already used" in message
    assert (
        "competencies[0].subcompetencies[2].code: 'MK1' must be PC followed by a number" in message
    )
    assert "competencies[0].subcompetencies[2].levels: must be a list of 5 texts" in message
    assert not MilestoneSet.objects.exists()
    assert not Subcompetency.objects.exists()


def test_broken_json_names_the_line(small: SmallInstitution, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"line 2, column \d+: not valid JSON"):
        call_command("load_milestones", write(tmp_path, '{"format":\n  oops}'))


def test_an_unknown_specialty_and_a_missing_harmonized_set_are_named(
    small: SmallInstitution, tmp_path: Path
) -> None:
    data = small_set(specialty="999", includes_harmonized="2030")
    with pytest.raises(CommandError) as caught:
        call_command("load_milestones", write(tmp_path, data))
    assert "specialty: no specialty has the ACGME code or slug '999'" in str(caught.value)
    assert "no harmonized set of version '2030' is loaded" in str(caught.value)


def test_a_loaded_version_is_never_replaced(small: SmallInstitution, tmp_path: Path) -> None:
    call_command("load_milestones", write(tmp_path, small_set()))
    changed = small_set(title="Cardiology milestones, corrected")
    with pytest.raises(CommandError, match="already loaded; a loaded set is never changed"):
        call_command("load_milestones", write(tmp_path, changed, "again.json"))
    assert MilestoneSet.objects.get().title == "Cardiology milestones"


def test_a_specialty_code_may_not_reuse_a_harmonized_code(
    small: SmallInstitution, tmp_path: Path
) -> None:
    load_shipped()
    data = small_set(
        includes_harmonized="1.0",
        competencies=[
            {"code": "PROF", "title": "Prof", "subcompetencies": [{"code": "PROF1", "title": "x"}]}
        ],
    )
    with pytest.raises(CommandError, match=r"PROF1 is already used by the harmonized set 1\.0"):
        call_command("load_milestones", write(tmp_path, data))


def test_second_file_failing_keeps_the_first_loaded(
    small: SmallInstitution, tmp_path: Path
) -> None:
    good = write(tmp_path, small_set(), "good.json")
    bad = write(tmp_path, small_set(version="2", competencies=[]), "bad.json")
    with pytest.raises(CommandError, match=r"bad\.json was not loaded"):
        call_command("load_milestones", good, bad)
    assert list(MilestoneSet.objects.values_list("version", flat=True)) == ["1"]


@pytest.mark.parametrize(
    ("given", "level"),
    [
        ("3", Decimal("3")),
        (3.5, Decimal("3.5")),
        ("1", Decimal("1")),
        ("5.0", Decimal("5")),
        ("nya", None),
        ("Not yet assessable", None),
    ],
)
def test_levels_on_the_scale_parse(given: object, level: Decimal | None) -> None:
    assert level_parse(given) == level


@pytest.mark.parametrize("given", ["0", "5.5", "3.25", "x", "", "NaN", True, None, -1, "Infinity"])
def test_levels_off_the_scale_are_refused_with_the_scale(given: object) -> None:
    with pytest.raises(LevelError, match=r"use 1 to 5 in steps of 0\.5"):
        level_parse(given)


def test_level_labels() -> None:
    assert level_label(Decimal("3.5")) == "Between levels 3 and 4"
    assert level_label(Decimal("2.0")) == "Level 2"
    assert level_short(None) == "NYA"
    assert level_short(Decimal("4.0")) == "4"
