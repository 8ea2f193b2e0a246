"""Spreadsheet imports of inclusion and language-access data, through rounds.imports.

An export from an application service names its columns its own way, so the person importing
maps the file's columns onto ours first; then every row is checked, and the whole file is written
in one transaction or not at all. The check and the write run as a job, never in a request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import transaction

from rounds.core.models import AuditEntry, Site
from rounds.imports import fields as f
from rounds.imports.fields import CellError
from rounds.imports.models import UploadedFile
from rounds.imports.services import ImportOutcome, Problem, check_rows
from rounds.imports.specs import Column, ImportSpec, Plan, RowErrors, validate_instance
from rounds.imports.tables import Row, Table, UnreadableFile, read_table
from rounds.imports.uploads import upload_discard
from rounds.inclusion.models import AAMC_CATEGORIES, STAGE_ORDER, Applicant, RecruitmentCycle, Stage
from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler, job_start

JOB_KIND = "inclusion_import"

_ALIASES = {
    "black": "Black or African American",
    "african american": "Black or African American",
    "hispanic": "Hispanic, Latino, or of Spanish Origin",
    "latino": "Hispanic, Latino, or of Spanish Origin",
    "latina": "Hispanic, Latino, or of Spanish Origin",
    "latinx": "Hispanic, Latino, or of Spanish Origin",
    "american indian": "American Indian or Alaska Native",
    "alaska native": "American Indian or Alaska Native",
    "native hawaiian": "Native Hawaiian or Other Pacific Islander",
    "pacific islander": "Native Hawaiian or Other Pacific Islander",
    "mena": "Middle Eastern or North African",
}
_CATEGORY = {c.lower(): c for c in AAMC_CATEGORIES} | _ALIASES
_NOT_STATED = {"", "prefer not to say", "declined", "not stated", "unknown"}


def race_ethnicity(cell: str) -> list[str]:
    found: list[str] = []
    for item in f.semicolon_list(cell):
        if item.lower() in _NOT_STATED:
            continue
        try:
            found.append(_CATEGORY[item.lower()])
        except KeyError:
            raise CellError(
                f"{item!r} is not an AAMC race or ethnicity category; separate several with ';'"
            ) from None
    return found


class ApplicantImport(ImportSpec):
    kind, label, key = "applicants", "Applications", "external_id"
    columns = [
        Column("external_id", f.text(40), required=True, help="AAMC ID or the export's own ID."),
        Column("stage", f.choice(Stage), help="applied, invited, interviewed, ranked, matched."),
        Column("invited", f.flag, help="yes/no"),
        Column("interviewed", f.flag, help="yes/no"),
        Column("ranked", f.flag, help="yes/no"),
        Column("matched", f.flag, help="yes/no"),
        Column("urim", f.flag, help="yes/no, as the applicant self-identified."),
        Column("race_ethnicity", race_ethnicity, help="AAMC categories separated by ';'."),
        Column("first_generation", f.flag, help="yes/no"),
    ]
    stage_flags: ClassVar[list[str]] = ["invited", "interviewed", "ranked", "matched"]

    def __init__(self, cycle: RecruitmentCycle) -> None:
        from rounds.inclusion.services import urim_definition_get

        self.cycle = cycle
        self.urim_categories = urim_definition_get().categories

    def plan(self, values: dict[str, Any]) -> Plan:
        stage = values.get("stage") or Stage.APPLIED
        for flag in self.stage_flags:
            if values.get(flag) and STAGE_ORDER.index(flag) > STAGE_ORDER.index(stage):
                stage = flag
        urim = values.get("urim")
        if urim is None and values.get("race_ethnicity"):
            urim = any(c in self.urim_categories for c in values["race_ethnicity"])
        applicant = Applicant(
            cycle=self.cycle,
            external_id=values["external_id"],
            stage=stage,
            urim=urim,
            first_generation=values.get("first_generation"),
        )
        validate_instance(applicant, {"external_id": "external_id"}, exclude=["cycle"])
        return Plan(True, applicant.save, applicant.external_id)


class LanguageDemandImport(ImportSpec):
    kind, label, key = "language_demand", "Site language demand", "_key"
    columns = [
        Column("site", f.text(200), required=True, help="As named in Rounds."),
        Column("language", f.language_code, required=True, help="Name or ISO 639-3 code."),
        Column("share_pct", f.text(12), help="Share of the site's visits, in percent."),
        Column("visits_per_year", f.whole_number(0, 10_000_000)),
        Column("as_of", f.iso_date, required=True, help="The date the figures describe."),
        Column("source", f.text(300), required=True, help="Where the figures come from."),
        Column("_key", f.text(500)),  # site|language|as_of, filled in so repeats are caught
    ]

    def __init__(self, cycle: Any = None) -> None:
        self.sites = {s.name.lower(): s for s in Site.objects.all()}
        self.sites |= {s.slug: s for s in Site.objects.all()}

    def plan(self, values: dict[str, Any]) -> Plan:
        from decimal import Decimal, InvalidOperation

        from rounds.languages.models import LanguageDemand

        errors: dict[str, str] = {}
        site = self.sites.get(values["site"].lower())
        if site is None:
            errors["site"] = f"no site named {values['site']!r}; add it in Rounds first"
        share = None
        if values.get("share_pct"):
            try:
                share = Decimal(values["share_pct"].rstrip("%").strip())
            except InvalidOperation:
                errors["share_pct"] = f"{values['share_pct']!r} is not a number"
        if share is None and values.get("visits_per_year") is None and "share_pct" not in errors:
            errors["share_pct"] = "give share_pct or visits_per_year (or both)"
        if errors:
            raise RowErrors(errors)
        existing = LanguageDemand.objects.filter(
            site=site, language=values["language"], as_of=values["as_of"]
        ).first()
        demand = existing or LanguageDemand(
            site=site, language=values["language"], as_of=values["as_of"]
        )
        demand.share_pct, demand.visits_per_year = share, values.get("visits_per_year")
        demand.source = values["source"]
        validate_instance(
            demand,
            {"share_pct": "share_pct", "visits_per_year": "visits_per_year", "source": "source"},
            validate_unique=False,
        )
        return Plan(existing is None, demand.save, f"{site}: {values['language']}")


SPECS: dict[str, type[ImportSpec]] = {
    ApplicantImport.kind: ApplicantImport,
    LanguageDemandImport.kind: LanguageDemandImport,
}


def apply_mapping(table: Table, mapping: dict[str, str]) -> Table:
    """Rename the file's columns to ours (`mapping`: our column -> the file's); unmapped file
    columns are dropped so they do not count as unknown."""
    back = {theirs: ours for ours, theirs in mapping.items() if theirs}
    rows = [
        Row(row.number, {back[c]: v for c, v in row.values.items() if c in back})
        for row in table.rows
    ]
    return Table(table.filename, [back[c] for c in table.columns if c in back], rows)


def mapped_import(
    *,
    spec_kind: str,
    filename: str,
    data: bytes,
    mapping: dict[str, str] | None,
    by: Any,
    cycle: RecruitmentCycle | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ImportOutcome:
    outcome = ImportOutcome(spec_kind, filename)
    try:
        table = read_table(filename, data)
    except UnreadableFile as error:
        outcome.problems.append(Problem(filename, None, None, str(error)))
        return outcome
    if mapping is not None:
        table = apply_mapping(table, mapping)
    spec = SPECS[spec_kind](cycle)  # type: ignore[call-arg]
    if spec_kind == LanguageDemandImport.kind:
        # One demand figure per site, language and date; `check_rows` finds repeats by one key.
        table = Table(
            table.filename,
            [*table.columns, "_key"],
            [Row(r.number, r.values | {"_key": _demand_key(r.values)}) for r in table.rows],
        )
    if spec_kind == ApplicantImport.kind and not (
        {"stage", *ApplicantImport.stage_flags} & set(table.columns)
    ):
        outcome.problems.append(
            Problem(
                filename,
                1,
                None,
                "map a stage column or at least one of invited, interviewed, ranked, matched",
            )
        )
        return outcome
    plans = check_rows(spec, table, outcome.problems, progress or (lambda _f, _m: None))
    if outcome.problems:
        return outcome
    with transaction.atomic():
        if cycle is not None:
            # An export is the whole cycle as it stands: it replaces the previous one.
            Applicant.objects.filter(cycle=cycle).delete()
        for plan in plans:
            plan.save()
        outcome.created = sum(plan.created for plan in plans)
        outcome.updated = len(plans) - outcome.created
        AuditEntry.objects.create(
            actor=by if getattr(by, "is_authenticated", False) else None,
            action="import",
            object_type=spec_kind,
            object_id=str(cycle.pk) if cycle else "",
            summary=f"Imported {filename}: {outcome.created} new, {outcome.updated} updated"
            + (f" ({cycle})" if cycle else ""),
            changes={"rows": len(plans)},
        )
    return outcome


def _demand_key(values: dict[str, str]) -> str:
    return "|".join(values.get(c, "").strip().lower() for c in ("site", "language", "as_of"))


def mapped_import_start(
    *,
    spec_kind: str,
    upload: UploadedFile,
    mapping: dict[str, str] | None,
    by: Any,
    cycle: RecruitmentCycle | None = None,
    title: str,
) -> Job:
    return job_start(
        kind=JOB_KIND,
        title=title,
        started_by=by,
        params={
            "spec": spec_kind,
            "upload_id": upload.pk,
            "mapping": mapping,
            "cycle_id": cycle.pk if cycle else None,
        },
    )


@job_handler(JOB_KIND)
def run_mapped_import(job: Job, progress: Progress) -> dict[str, Any]:
    upload = UploadedFile.objects.get(pk=job.params["upload_id"])
    cycle_id = job.params.get("cycle_id")
    try:
        outcome = mapped_import(
            spec_kind=job.params["spec"],
            filename=upload.name,
            data=bytes(upload.content),
            mapping=job.params.get("mapping"),
            by=job.started_by,
            cycle=RecruitmentCycle.objects.get(pk=cycle_id) if cycle_id else None,
            progress=progress,
        )
    finally:
        upload_discard(upload.pk)  # the job keeps the outcome; the file is not needed again
    return outcome.to_json()


def guess_mapping(spec_kind: str, file_columns: list[str]) -> dict[str, str]:
    """Our column -> the file column that most likely holds it (by name), or ''."""
    hints = {
        "external_id": ["aamc_id", "aamc", "applicant_id", "id", "eras_id"],
        "stage": ["stage", "status", "furthest_stage"],
        "invited": ["invited", "interview_invited", "invite", "interview_offered"],
        "interviewed": ["interviewed", "interview_completed", "attended"],
        "ranked": ["ranked", "on_rank_list", "rank"],
        "matched": ["matched", "match"],
        "urim": ["urim", "underrepresented_in_medicine", "urm"],
        "race_ethnicity": ["race_ethnicity", "race/ethnicity", "race", "self_identification"],
        "first_generation": ["first_generation", "first_gen"],
        "site": ["site_name", "facility", "hospital", "location"],
        "language": ["primary_language", "preferred_language", "language_name", "lang"],
        "share_pct": [
            "share",
            "percent",
            "pct",
            "share_of_visits",
            "pct_of_visits",
            "pct_of_encounters",
        ],
        "visits_per_year": ["visits", "encounters", "encounters_per_year", "annual_visits"],
        "as_of": ["date", "as_of_date", "period_end", "period"],
        "source": ["data_source", "source_name"],
    }
    result = {}
    for column in SPECS[spec_kind].columns:
        candidates = [column.name, *hints.get(column.name, [])]
        result[column.name] = next((c for c in candidates if c in file_columns), "")
    return result
