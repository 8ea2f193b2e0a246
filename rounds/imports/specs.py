"""What each import accepts (its columns) and how a checked row becomes database rows.

A spec plans each row without writing: `plan` returns a `Plan` whose `save()` writes it later,
once every row of the file has passed. Cross-row checks (duplicates) live in the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify

from rounds.core.models import Institution, Program, Site, Specialty
from rounds.core.services import program_positions_set, program_sites_set
from rounds.imports import fields as f
from rounds.imports.fields import CellError
from rounds.people.models import Person, SpokenLanguage, Trainee


@dataclass(frozen=True)
class Column:
    name: str
    parse: f.Parser
    required: bool = False
    help: str = ""


class RowErrors(Exception):
    """Problems of one row, by column name ('' when no single column is to blame)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class Plan:
    """What one row will write, with the model instances already validated."""

    created: bool
    save: Callable[[], None]
    label: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def validate_instance(instance: models.Model, column_of: dict[str, str], **kwargs: Any) -> None:
    """Run the model's own validation and report its complaints against spreadsheet columns."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise RowErrors(
            {column_of.get(name, ""): " ".join(msgs) for name, msgs in error.message_dict.items()}
        ) from None


def _find(lookup: dict[str, Any], name: str, what: str, hint: str) -> Any:
    try:
        return lookup[name.lower()]
    except KeyError:
        raise CellError(f"no {what} named {name!r}; {hint}") from None


class ImportSpec:
    kind: ClassVar[str]
    label: ClassVar[str]
    key: ClassVar[str]  # the column that identifies a row's record; a repeat is an error
    columns: ClassVar[list[Column]]

    def plan(self, values: dict[str, Any]) -> Plan:
        raise NotImplementedError


class SiteImport(ImportSpec):
    kind, label, key = "sites", "Sites", "name"
    columns = [
        Column("name", f.text(200), required=True),
        Column("kind", f.choice(Site.Kind), required=True, help="sponsor, hospital, va, …"),
        Column("street", f.text(200)),
        Column("city", f.text(100)),
        Column("state", f.text(60)),
        Column("postal_code", f.text(20)),
        Column("description", f.text(5000), help="What is trained there."),
    ]

    def __init__(self) -> None:
        self.existing = {s.name.lower(): s for s in Site.objects.all()}
        self.institution = Institution.objects.first()

    def plan(self, values: dict[str, Any]) -> Plan:
        if self.institution is None:
            raise RowErrors({"": "set up the institution before importing sites"})
        site = self.existing.get(values["name"].lower()) or Site(
            institution=self.institution, slug=slugify(values["name"])
        )
        created = site.pk is None
        for name in ("name", "kind", "street", "city", "state", "postal_code", "description"):
            if values.get(name) is not None or created:
                setattr(site, name, values.get(name) or "")
        validate_instance(site, {n: n for n in values} | {"slug": "name"})
        return Plan(created, site.save, site.name)


class ProgramImport(ImportSpec):
    kind, label, key = "programs", "Programs", "name"
    columns = [
        Column("name", f.text(200), required=True),
        Column("specialty", f.text(200), required=True, help="As named in Rounds."),
        Column("kind", f.choice(Program.Kind), required=True, help="residency, fellowship…"),
        Column("accreditation", f.choice(Program.Accreditation)),
        Column("acgme_number", f.text(10)),
        Column("length_years", f.whole_number(1, 8), required=True),
        Column("first_pgy", f.whole_number(1, 10)),
        Column("sites", f.semicolon_list, help="Site names separated by ';', primary first."),
        Column("positions", f.semicolon_list, help="Approved positions per year: '10;10;9'."),
        Column("description", f.text(10000)),
        Column("how_to_apply", f.text(10000)),
        Column("contact_email", f.email),
    ]
    simple_fields = ("name", "kind", "acgme_number", "length_years", "description")
    more_fields = ("how_to_apply", "contact_email", "first_pgy", "accreditation")

    def __init__(self) -> None:
        self.existing = {p.name.lower(): p for p in Program.objects.all()}
        self.specialties = {s.name.lower(): s for s in Specialty.objects.all()}
        self.sites = {s.name.lower(): s for s in Site.objects.all()}

    def plan(self, values: dict[str, Any]) -> Plan:
        errors: dict[str, str] = {}
        program = self.existing.get(values["name"].lower()) or Program(slug=slugify(values["name"]))
        created = program.pk is None
        try:
            program.specialty = _find(
                self.specialties, values["specialty"], "specialty", "add it in Rounds first"
            )
        except CellError as error:
            errors["specialty"] = str(error)
        if values.get("accreditation") is None and created:
            values["accreditation"] = (
                Program.Accreditation.NOT_ACCREDITED
                if values["kind"] == Program.Kind.NON_STANDARD
                else Program.Accreditation.CONTINUED
            )
        for name in self.simple_fields + self.more_fields:
            if values.get(name) is not None:
                setattr(program, name, values[name])
        sites = self._sites(values.get("sites"), errors)
        positions = self._positions(values.get("positions"), values["length_years"], errors)
        try:
            validate_instance(program, {n: n for n in values} | {"slug": "name"}, exclude=None)
        except RowErrors as invalid:
            errors = invalid.errors | errors
        if errors:
            raise RowErrors(errors)

        def save() -> None:
            program.save()
            if sites is not None:
                program_sites_set(program=program, sites=sites)
            if positions is not None:
                program_positions_set(program=program, counts=positions)

        return Plan(created, save, program.name)

    def _sites(self, names: list[str] | None, errors: dict[str, str]) -> list[Site] | None:
        if names is None:
            return None
        try:
            return [_find(self.sites, n, "site", "import sites first") for n in names]
        except CellError as error:
            errors["sites"] = str(error)
            return None

    def _positions(
        self, counts: list[str] | None, length: int, errors: dict[str, str]
    ) -> list[int] | None:
        if counts is None:
            return None
        if len(counts) != length:
            errors["positions"] = (
                f"gives {len(counts)} years of positions; the program has {length}"
            )
            return None
        try:
            return [f.whole_number(0, 500)(count) for count in counts]
        except CellError as error:
            errors["positions"] = str(error)
            return None


def _dated_history_kept(trainee: Trainee) -> dict[str, str]:
    """A trainee with dated training history keeps it: a row may repeat what it says, not
    rewrite it (a change has a date, so it is recorded on the trainee's page)."""
    from rounds.people.training import history_of, history_prefetch

    fresh = Trainee.objects.prefetch_related(*history_prefetch()).get(pk=trainee.pk)
    if not fresh.training_events.all():
        return {}
    history = history_of(fresh)
    recorded = {
        "program": (history.programs[-1][1], trainee.program_id),
        "pgy": (history.levels[-1][1], trainee.pgy),
        "start_date": (history.start, trainee.start_date),
        "expected_end_date": (history.expected_end, trainee.expected_end_date),
    }
    return {
        column: "differs from the trainee's dated training history; record the change (with "
        "its date) on the trainee's page"
        for column, (kept, given) in recorded.items()
        if kept != given
    }


class TraineeImport(ImportSpec):
    kind, label, key = "trainees", "Trainees", "email"
    columns = [
        Column("email", f.email, required=True),
        Column("first_name", f.text(80), required=True),
        Column("last_name", f.text(80), required=True),
        Column("program", f.text(200), required=True, help="As named in Rounds."),
        Column("pgy", f.whole_number(1, 10), required=True),
        Column("start_date", f.iso_date, required=True),
        Column("expected_end_date", f.iso_date, required=True),
        Column("status", f.choice(Trainee.Status)),
        Column("languages", f.semicolon_list, help="'spa:native; hat:professional' (ISO 639-3)."),
    ]

    def __init__(self) -> None:
        self.people = {
            p.email.lower(): p
            for p in Person.objects.select_related("trainee").filter(kind=Person.Kind.TRAINEE)
        }
        self.programs = {p.name.lower(): p for p in Program.objects.all()}
        self.staff_emails = set(
            Person.objects.exclude(kind=Person.Kind.TRAINEE).values_list("email", flat=True)
        )

    def plan(self, values: dict[str, Any]) -> Plan:
        errors: dict[str, str] = {}
        if values["email"] in self.staff_emails:
            errors["email"] = "belongs to a faculty or staff member, not a trainee"
        person = self.people.get(values["email"]) or Person(kind=Person.Kind.TRAINEE)
        created = person.pk is None
        person.email, person.first_name, person.last_name = (
            values["email"],
            values["first_name"],
            values["last_name"],
        )
        trainee = getattr(person, "trainee", None) if not created else None
        trainee = trainee or Trainee()
        try:
            trainee.program = _find(self.programs, values["program"], "program", "import it first")
        except CellError as error:
            errors["program"] = str(error)
        trainee.pgy = values["pgy"]
        trainee.start_date, trainee.expected_end_date = (
            values["start_date"],
            values["expected_end_date"],
        )
        trainee.status = values.get("status") or trainee.status
        if trainee.expected_end_date <= trainee.start_date:
            errors["expected_end_date"] = "must be after start_date"
        if trainee.pk is not None:
            errors |= _dated_history_kept(trainee)
        languages = self._languages(values.get("languages"), errors)
        try:
            validate_instance(person, {"email": "email"}, exclude=["user"])
        except RowErrors as invalid:
            errors = invalid.errors | errors
        if errors:
            raise RowErrors(errors)

        def save() -> None:
            person.save()
            trainee.person = person
            trainee.save()
            if languages is not None:
                SpokenLanguage.objects.filter(person=person).delete()
                SpokenLanguage.objects.bulk_create(
                    SpokenLanguage(person=person, language=code, proficiency=level)
                    for code, level in languages
                )

        return Plan(created, save, person.full_name)

    def _languages(
        self, items: list[str] | None, errors: dict[str, str]
    ) -> list[tuple[str, str]] | None:
        if items is None:
            return None
        parse_level = f.choice(SpokenLanguage.Proficiency)
        found: dict[str, str] = {}
        try:
            for item in items:
                name, _, level = item.partition(":")
                if not level.strip():
                    raise CellError(f"{item!r} needs a proficiency, e.g. spa:professional")
                found[f.language_code(name.strip())] = parse_level(level.strip())
        except CellError as error:
            errors["languages"] = str(error)
            return None
        return list(found.items())


SPECS: dict[str, type[ImportSpec]] = {
    spec.kind: spec for spec in (SiteImport, ProgramImport, TraineeImport)
}
