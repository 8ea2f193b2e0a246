"""Writes for committees and surveys. Keyword-only, one transaction each.

Answering a survey is the one write with no audit row: an audit row would name the person and
time the answer, which is exactly the link the survey promises not to keep.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F

from rounds.core.services import audit_record
from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler, job_start
from rounds.lib import today as clock
from rounds.lib.links import absolute_url
from rounds.people.models import Person, Trainee
from rounds.people.training import history_of, trainees_in_training
from rounds.wellness.errors import WellnessError
from rounds.wellness.models import (
    Committee,
    CommitteeMember,
    OptionCount,
    Question,
    Respondent,
    ResponseCount,
    Survey,
    SurveyPeriod,
    SurveyQuestion,
)


def survey_create(
    *,
    title: str,
    program: Any,
    questions: list[Question],
    recurrence: str,
    starts_on: date,
    introduction: str = "",
    by: Any,
) -> Survey:
    if not questions:
        raise WellnessError("Choose at least one question for the survey.")
    with transaction.atomic():
        survey = Survey.objects.create(
            title=title,
            program=program,
            recurrence=recurrence,
            starts_on=starts_on,
            introduction=introduction,
        )
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(survey=survey, question=q, position=i) for i, q in enumerate(questions)
        )
        audit_record(
            by=by,
            action="create",
            instance=survey,
            summary=f"wellness survey {survey} created ({survey.scope_label})",
            changes={"questions": [q.code for q in questions]},
        )
    return survey


def survey_audience(survey: Survey, day: date | None = None) -> Any:
    """Trainees (of the survey's program, if it has one) in training on `day` (today)."""
    day = day or clock.today()
    programs = [survey.program_id] if survey.program_id else None
    ids = [t.pk for t in trainees_in_training(programs, day, day)]
    return Trainee.objects.filter(pk__in=ids)


def survey_answer(
    *, period: SurveyPeriod, trainee: Trainee, answers: dict[int, int | None], today: date
) -> None:
    """Count one trainee's answers: +1 on each chosen option, +1 respondent, flag answered.

    Must not run inside an outer transaction (it would join the two below into one).

    `answers` maps question id to the chosen option (0-based), or None for "prefer not to say".
    """
    survey = period.survey
    if not period.is_open(today):
        raise WellnessError(
            f"This survey round ran from {period.starts_on:%d %b} to {period.ends_on:%d %b %Y} "
            "and is closed; the next round will be announced."
        )
    history = history_of(trainee)
    if history.status_on(today) in ("graduated", "withdrawn"):
        raise WellnessError("This survey is for trainees still in training.")
    if survey.program_id and history.program_on(today) != survey.program_id:
        raise WellnessError("This survey is for another program's trainees.")
    questions = {q.pk: q for q in survey.questions.all()}
    for qid, option in answers.items():
        if qid not in questions:
            raise WellnessError("An answer was given to a question this survey does not ask.")
        if option is not None and not 0 <= option < len(questions[qid].options):
            raise WellnessError(f"Question “{questions[qid]}” has no such answer option.")
    # Two transactions, never one: on PostgreSQL every row carries the id of the transaction
    # that last wrote it, so a flag and counts written together could be joined by it. The flag
    # comes first (its unique key stops a second answer); if counting then fails, the flag goes.
    try:
        with transaction.atomic():
            flag = Respondent.objects.create(period=period, person_id=trainee.person_id)
    except IntegrityError:
        raise WellnessError(
            "You have already answered this round of the survey. Thank you!"
        ) from None
    try:
        with transaction.atomic():
            _count(period, trainee.program_id, list(questions.values()), answers)
    except Exception:
        Respondent.objects.filter(pk=flag.pk).delete()
        raise


def _count(
    period: SurveyPeriod, program_id: int, questions: list[Question], answers: dict[int, int | None]
) -> None:
    # Every option row of this group exists, zeroed, before anything is counted: row ids then
    # follow question and option order, never the order of anybody's choices.
    OptionCount.objects.bulk_create(
        [
            OptionCount(period=period, program_id=program_id, question=q, option=i)
            for q in questions
            for i in range(len(q.options) + 1)  # the last one counts "prefer not to say"
        ],
        ignore_conflicts=True,
    )
    ResponseCount.objects.get_or_create(period=period, program_id=program_id)
    ResponseCount.objects.filter(period=period, program_id=program_id).update(count=F("count") + 1)
    # "Prefer not to say" is counted like an option, so every question of a group has exactly
    # as many answers as the group has respondents: no question can fall below the floor on its
    # own and be worked out from the total.
    by_id = {q.pk: q for q in questions}
    for qid, option in answers.items():
        chosen = len(by_id[qid].options) if option is None else option
        OptionCount.objects.filter(
            period=period, program_id=program_id, question_id=qid, option=chosen
        ).update(count=F("count") + 1)


def has_answered(*, period: SurveyPeriod, person: Person) -> bool:
    return Respondent.objects.filter(period=period, person=person).exists()


def survey_remind(*, period: SurveyPeriod, by: Any, opening: bool = False) -> Job:
    """Queue reminders to every trainee of the survey's audience who has not answered yet.

    The job's result carries no count and no names, so whoever asked learns nothing about who
    has answered; only the worker reads the "has answered" table.
    """
    with transaction.atomic():
        audit_record(
            by=by,
            action="remind",
            instance=period.survey,
            summary=f"{'opening notice' if opening else 'reminders'} queued for {period}",
            changes={},
        )
        return job_start(
            kind="wellness_remind",
            title=f"{'Opening notice' if opening else 'Reminders'}: {period}",
            started_by=by,
            params={"period": period.pk, "opening": opening},
        )


@job_handler("wellness_remind")
def remind_job(job: Job, progress: Progress) -> dict[str, Any]:
    period = SurveyPeriod.objects.select_related("survey").get(pk=job.params["period"])
    answered = Respondent.objects.filter(period=period).values("person_id")
    emails = list(
        survey_audience(period.survey)
        .exclude(person_id__in=answered)
        .exclude(person__email="")
        .values_list("person__email", flat=True)
    )
    link = absolute_url("wellness:answer", period.survey.pk)
    privacy = (
        "Your answers are anonymous: they are stored as counts for your whole program only, "
        "and results are shown only for groups of at least the minimum size."
    )
    if job.params.get("opening"):
        subject = f"New round: {period.survey.title}"
        body = (
            f"A new round of “{period.survey.title}” is open until "
            f"{period.ends_on:%d %B %Y}: {link}\n\n{privacy}"
        )
    else:
        subject = f"Reminder: {period.survey.title}"
        body = (
            f"If you have not answered “{period.survey.title}” yet, it is open until "
            f"{period.ends_on:%d %B %Y}: {link}\n\n{privacy}\n\nIf you have answered "
            "already, thank you and please ignore this."
        )
    batch = 200
    for start in range(0, len(emails), batch):
        progress(start / max(1, len(emails)), "Sending reminders")
        chunk = emails[start : start + batch]
        send_mass_mail([(subject, body, None, [email]) for email in chunk], fail_silently=False)
    return {"message": "Reminders sent to everyone who has not answered yet."}


def survey_reminders_due(*, today: date, days_left: int, by: Any = None) -> list[Job]:
    """The scheduled notices of each round: once when it opens, once `days_left` days before it
    closes; each to those who have not answered, sent by the worker."""
    from rounds.wellness.periods import period_current

    jobs = []
    for survey in Survey.objects.filter(stopped=False):
        period = period_current(survey, today)
        if period is None:
            continue
        if not period.announced:
            SurveyPeriod.objects.filter(pk=period.pk).update(announced=True)
            jobs.append(survey_remind(period=period, by=by, opening=True))
        elif not period.auto_reminded and (period.ends_on - today).days <= days_left:
            SurveyPeriod.objects.filter(pk=period.pk).update(auto_reminded=True)
            jobs.append(survey_remind(period=period, by=by))
    return jobs


def respondents_forget_closed(*, today: date) -> int:
    """Delete the "has answered" flags of closed rounds: they were kept only to stop double
    answers and to aim reminders, and a closed round needs neither. Returns how many went."""
    deleted, _ = Respondent.objects.filter(period__ends_on__lt=today).delete()
    return deleted


def survey_stop(*, survey: Survey, by: Any) -> None:
    with transaction.atomic():
        survey.stopped = True
        survey.save(update_fields=["stopped"])
        audit_record(
            by=by,
            action="update",
            instance=survey,
            summary=f"wellness survey {survey} stopped",
            changes={"stopped": {"from": False, "to": True}},
        )


def committee_member_add(*, committee: Committee, person: Person, is_chair: bool, by: Any) -> None:
    with transaction.atomic():
        member, created = CommitteeMember.objects.get_or_create(
            committee=committee, person=person, defaults={"is_chair": is_chair}
        )
        if not created and member.is_chair != is_chair:
            member.is_chair = is_chair
            member.save(update_fields=["is_chair"])
        audit_record(
            by=by,
            action="create" if created else "update",
            instance=member,
            summary=f"{person} {'chairs' if is_chair else 'joins'} {committee}",
            changes={"is_chair": is_chair},
        )


def committee_member_remove(*, member: CommitteeMember, by: Any) -> None:
    with transaction.atomic():
        audit_record(
            by=by,
            action="delete",
            instance=member,
            summary=f"{member.person} leaves {member.committee}",
            changes={},
        )
        member.delete()
