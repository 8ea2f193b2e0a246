"""Assessment pages. Thin: ask access.py, call a service or a selector, render.

Records of other people answer 404, not 403, so a page never confirms that an evaluation or a
request exists. The one-time link page needs no account and shows only its one form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.assessment import access, selectors
from rounds.assessment.errors import AnswersInvalid, AssessmentError
from rounds.assessment.forms_service import (
    draft_of,
    form_create,
    item_add,
    item_remove,
    version_publish,
)
from rounds.assessment.models import (
    ANONYMOUS_TO_EVALUATED,
    BY_LINK,
    Evaluation,
    EvaluationForm,
    EvaluationRequest,
    EvaluatorKind,
    FormItem,
    FormVersion,
    ProgramEvaluationSettings,
)
from rounds.assessment.services import (
    draft_save,
    evaluation_release_now,
    evaluation_submit,
    link_find,
    link_refusal,
    link_request_create,
    request_refusal,
    settings_of,
)
from rounds.assessment.teaching import (
    rotations_of,
    teaching_cell_set,
    teaching_copy_previous,
    teaching_import,
)
from rounds.core.models import Program
from rounds.imports.uploads import upload_size_problem
from rounds.lib.today import academic_year_of, today
from rounds.milestones.levels import CHOICES as MILESTONE_CHOICES
from rounds.people.access import person_of, require_roles, trainee_of, user_roles
from rounds.people.models import Faculty, Trainee
from rounds.schedules.models import Block, Rotation


def _program_managed(request: HttpRequest, pk: int) -> Program:
    program = get_object_or_404(Program, pk=pk)
    if not access.may_manage_assessment(request.user, program):
        raise Http404
    return program


# ---------------------------------------------------------------- the queue


@login_required
def home(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    day = today()
    queue = selectors.queue_of(person, day)
    roles = user_roles(request.user)
    return render(
        request,
        "assessment/home.html",
        {
            "queue": queue,
            "today": day,
            "trainee": trainee_of(request.user),
            "faculty": access.faculty_of(request.user),
            "programs": access.burden_programs(request.user).order_by("name")
            if roles.is_staff_member
            else [],
            "sees_burden": access.may_see_burden(roles),
            "teaching": selectors.teaching_ahead(person, day),
        },
    )


def _form_context(
    req: EvaluationRequest, posted: dict[str, Any], errors: dict[int, str]
) -> dict[str, Any]:
    items = list(req.form_version.items.select_related("subcompetency").order_by("position"))
    return {
        "req": req,
        "items": [
            _item_view(item, posted.get(f"item-{item.position}", ""), errors) for item in items
        ],
        "errors": errors,
        "anonymous": req.evaluator_kind in ANONYMOUS_TO_EVALUATED,
    }


def _item_view(item: FormItem, value: str, errors: dict[int, str]) -> dict[str, Any]:
    options: list[tuple[str, str]] = []
    if item.kind == FormItem.Kind.RATING:
        if item.subcompetency_id:
            options = [(v, label) for v, label in MILESTONE_CHOICES]
        else:
            step, level = item.scale_step, item.scale_min
            while level <= item.scale_max:
                text = f"{level.normalize():f}"
                options.append((text, text))
                level += step
    return {
        "item": item,
        "name": f"item-{item.position}",
        "value": value,
        "options": options,
        "error": errors.get(item.position, ""),
        "levels": item.subcompetency.level_descriptions
        if item.subcompetency_id and item.subcompetency
        else [],
    }


@login_required
def fill(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(
        EvaluationRequest.objects.select_related(
            "trainee__person",
            "faculty__person",
            "rotation__site",
            "form_version__form",
            "evaluator",
        ),
        pk=pk,
    )
    if not access.may_answer(request.user, req):
        raise Http404
    refusal = request_refusal(req)
    if refusal:
        return render(
            request, "assessment/closed.html", {"message": refusal, "req": req}, status=409
        )
    posted: dict[str, Any] = dict(req.draft)
    errors: dict[int, str] = {}
    if request.method == "POST":
        posted = {k: v for k, v in request.POST.items() if k.startswith("item-")}
        try:
            if request.POST.get("action") == "draft":
                draft_save(request=req, posted=posted)
                messages.success(request, "Draft kept. Come back to it from your queue.")
                return redirect("assessment:home")
            evaluation_submit(request=req, posted=posted, by=request.user)
        except AnswersInvalid as invalid:
            errors = invalid.errors
            messages.error(request, invalid.message)
        except AssessmentError as error:
            return render(
                request,
                "assessment/closed.html",
                {"message": error.message, "req": req},
                status=409,
            )
        else:
            messages.success(request, f"Thank you: your evaluation of {req.subject_name} was sent.")
            return redirect("assessment:home")
    status = 400 if errors else 200
    return render(
        request, "assessment/fill.html", _form_context(req, posted, errors), status=status
    )


def link(request: HttpRequest, token: str) -> HttpResponse:
    """A one-time link: no account, this one form, nothing else."""
    found = link_find(token)
    refusal = link_refusal(found)
    if refusal or found is None:
        return render(
            request,
            "assessment/link_closed.html",
            {"message": refusal},
            status=404 if found is None else 410,
        )
    req = found.request
    posted: dict[str, Any] = {}
    errors: dict[int, str] = {}
    if request.method == "POST":
        posted = {k: v for k, v in request.POST.items() if k.startswith("item-")}
        try:
            evaluation_submit(request=req, posted=posted, by=None, link=found)
        except AnswersInvalid as invalid:
            errors = invalid.errors
        except AssessmentError as error:
            return render(
                request, "assessment/link_closed.html", {"message": error.message}, status=410
            )
        else:
            return render(
                request,
                "assessment/link_closed.html",
                {"message": "Thank you: your evaluation was received.", "thanks": True},
            )
    context = _form_context(req, posted, errors) | {"via_link": True}
    return render(request, "assessment/fill.html", context, status=400 if errors else 200)


# ---------------------------------------------------------------- reading evaluations


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(
        Evaluation.objects.select_related(
            "request__trainee__person", "request__trainee__program", "request__evaluator",
            "request__faculty__person", "request__rotation__site", "form_version__form",
        ),
        pk=pk,
    )  # fmt: skip
    if not access.may_read_evaluation(request.user, evaluation):
        raise Http404
    req = evaluation.request
    return render(
        request,
        "assessment/evaluation.html",
        {
            "evaluation": evaluation,
            "req": req,
            "answers": selectors.answers_of(evaluation),
            "evaluator": access.evaluator_shown_to(request.user, evaluation),
            "may_release": access.is_program_staff(request.user, req.program_id)
            and evaluation.released_on > today(),
        },
    )


@login_required
@require_POST
def evaluation_release(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(Evaluation.objects.select_related("request"), pk=pk)
    if not access.is_program_staff(request.user, evaluation.request.program_id):
        raise Http404
    if evaluation.request.evaluator_kind in ANONYMOUS_TO_EVALUATED:
        raise Http404
    evaluation_release_now(evaluation=evaluation, by=request.user)
    messages.success(request, "Released: the trainee can read it now.")
    return redirect("assessment:evaluation", pk=pk)


@login_required
def about_me(request: HttpRequest) -> HttpResponse:
    trainee = trainee_of(request.user)
    faculty = access.faculty_of(request.user)
    if trainee is None and faculty is None:
        raise Http404
    day = today()
    evaluations = selectors.evaluations_about(trainee, day) if trainee else []
    aggregates = []
    if faculty is not None:
        delay = _delay_for(faculty.primary_program_id)
        aggregates = selectors.anonymous_aggregates(
            kind=EvaluatorKind.TRAINEE_OF_FACULTY, day=day, delay_days=delay, faculty=faculty
        )
    return render(
        request,
        "assessment/about_me.html",
        {
            "trainee": trainee,
            "faculty": faculty,
            "rows": [(e, access.evaluator_shown_to(request.user, e)) for e in evaluations],
            "aggregates": aggregates,
        },
    )


def _delay_for(program_id: int | None) -> int:
    if program_id is None:
        return int(ProgramEvaluationSettings._meta.get_field("aggregate_delay_days").default)
    return settings_of(program_id).aggregate_delay_days


@login_required
def written(request: HttpRequest) -> HttpResponse:
    person = person_of(request.user)
    return render(request, "assessment/written.html", {"evaluations": selectors.written_by(person)})


# ---------------------------------------------------------------- a program's assessment


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return academic_year_of(today())


@login_required
def program_page(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_managed(request, pk)
    year = _year(request)
    reads = access.may_read_program_evaluations(request.user, program)
    evaluations = (
        selectors.program_evaluations(program, date(year, 7, 1), date(year + 1, 6, 30))
        if reads
        else []
    )
    day = today()
    delay = settings_of(program.pk).aggregate_delay_days
    rotation_aggregates = [
        (rotation, selectors.anonymous_aggregates(
            kind=EvaluatorKind.TRAINEE_OF_ROTATION, day=day, delay_days=delay,
            rotation=rotation, years=1,
        ))
        for rotation in rotations_of(program)
    ] if reads else []  # fmt: skip
    return render(
        request,
        "assessment/program.html",
        {
            "program": program,
            "year": year,
            "reads": reads,
            "evaluations": evaluations,
            "rotation_aggregates": rotation_aggregates,
            "faculty": Faculty.objects.filter(primary_program=program).select_related("person"),
            "link_forms": EvaluationForm.objects.filter(
                program=program, evaluator_kind__in=list(BY_LINK), is_active=True
            ),
            "trainees": Trainee.objects.filter(program=program).select_related("person"),
            "new_link": request.session.pop("assessment_new_link", None),
        },
    )


@login_required
def faculty_aggregates(request: HttpRequest, pk: int) -> HttpResponse:
    faculty = get_object_or_404(Faculty.objects.select_related("person"), pk=pk)
    if not access.may_see_faculty_aggregates(request.user, faculty):
        raise Http404
    aggregates = selectors.anonymous_aggregates(
        kind=EvaluatorKind.TRAINEE_OF_FACULTY,
        day=today(),
        delay_days=_delay_for(faculty.primary_program_id),
        faculty=faculty,
    )
    return render(
        request, "assessment/faculty.html", {"faculty": faculty, "aggregates": aggregates}
    )


@login_required
@require_POST
def link_create(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_managed(request, pk)
    form = get_object_or_404(EvaluationForm, pk=request.POST.get("form") or 0, program=program)
    trainee = get_object_or_404(Trainee, pk=request.POST.get("trainee") or 0, program=program)
    try:
        _, url = link_request_create(
            form=form,
            trainee=trainee,
            evaluator_label=request.POST.get("label", ""),
            by=request.user,
        )
    except AssessmentError as error:
        messages.error(request, error.message)
    else:
        request.session["assessment_new_link"] = url
        messages.success(request, "Link made. Copy it now: it is shown once and works once.")
    return redirect("assessment:program", pk=program.pk)


@login_required
def settings_page(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_managed(request, pk)
    current = settings_of(program.pk)
    fields = [
        "min_contact_days", "shifts_together", "monthly_cap", "remind_every_days",
        "expire_after_days", "release_after_days", "aggregate_delay_days",
    ]  # fmt: skip
    errors: dict[str, str] = {}
    if request.method == "POST":
        trigger = request.POST.get("trigger", "")
        if trigger not in ProgramEvaluationSettings.Trigger.values:
            errors["trigger"] = "Choose when requests are made."
        values: dict[str, int] = {}
        for name in fields:
            raw = request.POST.get(name, "").strip()
            if not raw.isdigit() or not 0 <= int(raw) <= 365:
                errors[name] = "A whole number from 0 to 365."
            else:
                values[name] = int(raw)
        if not errors:
            ProgramEvaluationSettings.objects.update_or_create(
                program=program, defaults={"trigger": trigger, **values}
            )
            messages.success(request, "Settings saved; the next daily run uses them.")
            return redirect("assessment:program", pk=program.pk)
    rows = [
        (
            name,
            ProgramEvaluationSettings._meta.get_field(name),
            request.POST.get(name) if errors else getattr(current, name),
        )
        for name in fields
    ]  # fmt: skip
    return render(
        request,
        "assessment/settings.html",
        {"program": program, "current": current, "rows": rows, "errors": errors,
         "triggers": ProgramEvaluationSettings.Trigger.choices},
        status=400 if errors else 200,
    )  # fmt: skip


# ---------------------------------------------------------------- teaching assignments


@login_required
def teaching(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_managed(request, pk)
    blocks = list(Block.objects.filter(program=program, academic_year=_year(request)))
    if not blocks:
        blocks = list(
            Block.objects.filter(program=program).order_by("-academic_year", "number")[:13]
        )
    block = _chosen_block(request, blocks)
    weeks, grid = selectors.teaching_grid(program, block) if block else ([], [])
    return render(
        request,
        "assessment/teaching.html",
        {
            "program": program,
            "blocks": blocks,
            "chosen": block,  # not "block": the template language uses that name
            "weeks": weeks,
            "grid": grid,
            "faculty": selectors.faculty_choices(program),
            "problems": request.session.pop("assessment_import_problems", []),
        },
    )


def _chosen_block(request: HttpRequest, blocks: list[Block]) -> Block | None:
    wanted = request.GET.get("block") or request.POST.get("block")
    for block in blocks:
        if str(block.pk) == wanted:
            return block
    day = today()
    return next((b for b in blocks if b.start <= day <= b.end), blocks[0] if blocks else None)


def _back_to_grid(program: Program, block: Block | None) -> HttpResponse:
    response = redirect("assessment:teaching", pk=program.pk)
    if block is not None:
        response["Location"] += f"?block={block.pk}&year={block.academic_year}"
    return response


@login_required
@require_POST
def teaching_cell(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_managed(request, pk)
    block = get_object_or_404(Block, pk=request.POST.get("block") or 0, program=program)
    rotation = get_object_or_404(Rotation, pk=request.POST.get("rotation") or 0)
    try:
        first = date.fromisoformat(request.POST.get("first_day", ""))
        last = date.fromisoformat(request.POST.get("last_day", ""))
        ids = [int(v) for v in request.POST.getlist("faculty") if v]
    except ValueError:
        messages.error(
            request, "The week or the faculty chosen could not be read; nothing changed."
        )
        return _back_to_grid(program, block)
    faculty = list(Faculty.objects.filter(pk__in=ids).select_related("person"))
    if not (block.start <= first <= last <= block.end) or len(faculty) != len(set(ids)):
        messages.error(
            request, "That week or faculty member is not in this block; nothing changed."
        )
        return _back_to_grid(program, block)
    try:
        teaching_cell_set(
            program=program,
            rotation=rotation,
            first_day=first,
            last_day=last,
            faculty=faculty,
            by=request.user,
        )
    except AssessmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{rotation.name}, week of {first:%b %-d}: saved.")
    return _back_to_grid(program, block)


@login_required
@require_POST
def teaching_copy(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_managed(request, pk)
    block = get_object_or_404(Block, pk=request.POST.get("block") or 0, program=program)
    try:
        count = teaching_copy_previous(program=program, block=block, by=request.user)
    except AssessmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Copied {count} attending weeks from the previous block.")
    return _back_to_grid(program, block)


@login_required
@require_POST
def teaching_upload(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_managed(request, pk)
    block = Block.objects.filter(pk=request.POST.get("block") or 0, program=program).first()
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a CSV or Excel file to import.")
        return _back_to_grid(program, block)
    too_large = upload_size_problem(upload.size or 0)
    if too_large:
        messages.error(request, too_large)
        return _back_to_grid(program, block)
    outcome = teaching_import(
        program=program, filename=upload.name or "upload", data=upload.read(), by=request.user
    )
    if outcome.ok:
        messages.success(
            request, f"Imported {outcome.created} attending spans from {outcome.filename}."
        )
    else:
        messages.error(
            request,
            f"Nothing was imported: {len(outcome.problems)} problem(s) in {outcome.filename}.",
        )
        request.session["assessment_import_problems"] = [str(p) for p in outcome.problems[:50]]
    return _back_to_grid(program, block)


# ---------------------------------------------------------------- forms


@login_required
def forms_list(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_managed(request, pk)
    if request.method == "POST":
        rotation = Rotation.objects.filter(pk=request.POST.get("rotation") or 0).first()
        try:
            form = form_create(
                program=program,
                name=request.POST.get("name", ""),
                evaluator_kind=request.POST.get("evaluator_kind", ""),
                rotation=rotation,
                by=request.user,
            )
        except AssessmentError as error:
            messages.error(request, error.message)
        else:
            return redirect("assessment:form", pk=form.pk)
    forms = EvaluationForm.objects.filter(program=program).select_related("rotation")
    return render(
        request,
        "assessment/forms.html",
        {
            "program": program,
            "forms": forms,
            "kinds": EvaluatorKind.choices,
            "rotations": rotations_of(program),
        },
    )


def _subcompetencies(program: Program) -> list[Any]:
    from rounds.milestones.models import Subcompetency

    return list(
        Subcompetency.objects.filter(
            competency__milestone_set__specialty__in=[program.specialty_id, None]
        ).select_related("competency__milestone_set")
    )


@login_required
def form_builder(request: HttpRequest, pk: int) -> HttpResponse:
    form = get_object_or_404(EvaluationForm.objects.select_related("program"), pk=pk)
    if not access.may_manage_assessment(request.user, form.program):
        raise Http404
    if request.method == "POST":
        try:
            _builder_action(request, form)
        except AssessmentError as error:
            messages.error(request, error.message)
        return redirect("assessment:form", pk=form.pk)
    versions = list(form.versions.prefetch_related("items__subcompetency"))
    return render(
        request,
        "assessment/form_builder.html",
        {
            "form": form,
            "versions": versions,
            "current": versions[0] if versions else None,
            "kinds": FormItem.Kind.choices,
            "subcompetencies": _subcompetencies(form.program),
        },
    )


def _builder_action(request: HttpRequest, form: EvaluationForm) -> None:
    action = request.POST.get("action")
    if action == "new_draft":
        draft_of(form, by=request.user)
        return
    version = get_object_or_404(FormVersion, pk=request.POST.get("version") or 0, form=form)
    if action == "publish":
        version_publish(version=version, by=request.user)
        messages.success(request, f"Version {version.number} published; new requests use it.")
    elif action == "remove":
        item = get_object_or_404(FormItem, pk=request.POST.get("item") or 0, version=version)
        item_remove(item=item, by=request.user)
    elif action == "add":
        sub = request.POST.get("subcompetency") or None
        try:
            scale = (
                Decimal(request.POST.get("scale_min") or "1"),
                Decimal(request.POST.get("scale_max") or "5"),
                Decimal(request.POST.get("scale_step") or "1"),
            )
        except InvalidOperation:
            raise AssessmentError("The scale's numbers could not be read.") from None
        item_add(
            version=version,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            required=request.POST.get("required") == "on",
            subcompetency_id=int(sub) if sub and sub.isdigit() else None,
            scale=scale,
            low_label=request.POST.get("low_label", ""),
            high_label=request.POST.get("high_label", ""),
            by=request.user,
        )


# ---------------------------------------------------------------- burden


@require_roles(access.may_see_burden)
def burden(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    programs = access.burden_programs(request.user)
    report = selectors.burden_report(programs, year)
    return render(request, "assessment/burden.html", {"report": report, "year": year})
