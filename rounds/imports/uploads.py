"""Uploaded files: capped when they arrive, kept only until their import has run.

An upload is stored in the database (`UploadedFile`) so a worker on any machine can read it. It is
refused at once, with a message saying what to do, when it is larger than the cap; its name is
cleaned (folder parts, control characters) and shortened so any name a browser sends can be
stored. The job that imports it deletes it when done (the job keeps the outcome), and an upload
nobody went on to import (a column-mapping page left open) is forgotten after a day.

Rows and columns are capped where files are read (`rounds.imports.tables.read_table`).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.utils import timezone

from rounds.imports.models import UploadedFile

NAME_LENGTH = 120  # what is kept of a file's name; the suffix always survives
STALE_AFTER = timedelta(days=1)


class UploadRefused(ValueError):
    """The upload cannot be taken; the message says why and what to do."""


def max_upload_bytes() -> int:
    return int(getattr(settings, "ROUNDS_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))


def upload_size_problem(size: int) -> str | None:
    """Why a file of `size` bytes is refused, or None when it is small enough."""
    cap = max_upload_bytes()
    if size <= cap:
        return None
    return (
        f"The file is {size / 1024 / 1024:.1f} MB; files up to {cap / 1024 / 1024:.0f} MB are "
        "imported. Split it into smaller files, or remove columns that are not imported."
    )


def upload_name(name: str) -> str:
    """A name that can be stored and shown: no folders, no control characters, not too long."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "upload"
    if len(base) <= NAME_LENGTH:
        return base
    suffix = PurePath(base).suffix[:10]
    return base[: NAME_LENGTH - len(suffix) - 1] + "…" + suffix


def upload_keep(*, filename: str, data: bytes, by: Any) -> UploadedFile:
    """Store an upload for its import job; UploadRefused when it is too large."""
    problem = upload_size_problem(len(data))
    if problem:
        raise UploadRefused(problem)
    uploads_forget_stale()
    return UploadedFile.objects.create(name=upload_name(filename), content=data, uploaded_by=by)


def upload_discard(upload_id: int | None) -> None:
    """Delete an upload whose import has run; its job keeps the outcome."""
    if upload_id is not None:
        UploadedFile.objects.filter(pk=upload_id).delete()


def uploads_forget_stale() -> int:
    """Delete uploads older than a day that no import took (a mapping page left open)."""
    deleted, _ = UploadedFile.objects.filter(uploaded_at__lt=timezone.now() - STALE_AFTER).delete()
    return deleted
