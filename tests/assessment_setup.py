"""Evaluations on top of the small institution and its schedules: a faculty member who attends
MICU and wards, a milestone subcompetency, and one published form per kind of evaluator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rounds.assessment.forms_service import form_create, item_add, version_publish
from rounds.assessment.models import EvaluationForm, EvaluatorKind, TeachingAssignment
from rounds.milestones.models import Competency, MilestoneSet, Subcompetency
from rounds.people.models import Faculty, Person
from tests.people import SmallInstitution
from tests.schedules_setup import SmallSchedules, build_schedules

K = EvaluatorKind


@dataclass
class SmallAssessment:
    x: SmallSchedules
    faculty: Faculty  # user "faculty": attends MICU in blocks 1-2 and wards all year
    other: Faculty  # no account; attends MICU for only two days of block 1
    sub: Subcompetency
    forms: dict[str, EvaluationForm]

    def block(self, number: int) -> tuple[date, date]:
        b = self.x.im_blocks[number - 1]
        return b.start, b.end


def _subcompetency() -> Subcompetency:
    milestone_set = MilestoneSet.objects.create(
        version="t1", title="Harmonized", effective_from=date(2025, 7, 1)
    )
    competency = Competency.objects.create(milestone_set=milestone_set, code="PC", title="Care")
    return Subcompetency.objects.create(
        competency=competency,
        code="PC1",
        title="History and physical",
        harmonized=True,
        level_descriptions=["a", "b", "c", "d", "e"],
    )


def _form(small: SmallInstitution, kind: str, sub: Subcompetency | None) -> EvaluationForm:
    gme = small.users["gme"]
    form = form_create(program=small.im, name=f"IM {kind}", evaluator_kind=kind, by=gme)
    version = form.versions.get()
    if sub is not None:
        item_add(
            version=version,
            kind="rating",
            text="Gathers a history",
            subcompetency_id=sub.pk,
            by=gme,
        )
    item_add(version=version, kind="rating", text="Overall", by=gme)
    item_add(version=version, kind="yes_no", text="Would work with again", by=gme)
    item_add(version=version, kind="narrative", text="Comments", required=False, by=gme)
    version_publish(version=version, by=gme)
    return form


def build_assessment(small: SmallInstitution, x: SmallSchedules | None = None) -> SmallAssessment:
    x = x or build_schedules(small)
    person = small.users["faculty"].person  # type: ignore[attr-defined]
    faculty = Faculty.objects.create(person=person, primary_program=small.im, site=small.sponsor)
    other_person = Person.objects.create(
        kind="faculty", first_name="Omar", last_name="Other", email="omar@example.org"
    )
    other = Faculty.objects.create(person=other_person, primary_program=small.im)
    for block in x.im_blocks[:2]:
        TeachingAssignment.objects.create(
            program=small.im,
            faculty=faculty,
            rotation=x.micu,
            first_day=block.start,
            last_day=block.end,
        )
    TeachingAssignment.objects.create(
        program=small.im,
        faculty=faculty,
        rotation=x.wards,
        first_day=x.im_blocks[0].start,
        last_day=x.im_blocks[-1].end,
    )
    b1 = x.im_blocks[0]
    TeachingAssignment.objects.create(
        program=small.im, faculty=other, rotation=x.micu, first_day=b1.start, last_day=b1.start
    )
    sub = _subcompetency()
    forms = {
        K.FACULTY_OF_TRAINEE: _form(small, K.FACULTY_OF_TRAINEE, sub),
        K.TRAINEE_OF_FACULTY: _form(small, K.TRAINEE_OF_FACULTY, None),
        K.TRAINEE_OF_ROTATION: _form(small, K.TRAINEE_OF_ROTATION, None),
        K.STAFF: _form(small, K.STAFF, sub),
    }
    return SmallAssessment(x, faculty, other, sub, forms)


GOOD_ANSWERS = {"item-1": "3.5", "item-2": "4", "item-3": "yes", "item-4": "Careful, kind."}
