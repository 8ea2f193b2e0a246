"""A program's published call month as a printable PDF (fpdf2: pure Python, no system libraries).

One row per shift, day by day: the date, the shift and its hours, the service and site, who works
it. Weekends are shaded so a printed month on the wall reads at a glance. Names are written with
DejaVu Sans when the system has it (every script a name may use); otherwise with the PDF's own
Helvetica, which covers Latin-1, and other letters are written without their accents.
"""

from __future__ import annotations

import unicodedata
import zoneinfo
from pathlib import Path

from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from rounds.schedules.calls import _timezone
from rounds.schedules.models import CallSchedule

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
WEEKEND = (236, 241, 245)
HEADER = (8, 63, 76)


def _font(pdf: FPDF) -> tuple[str, bool]:
    """The family to write with, and whether it covers every script."""
    for path in FONT_PATHS:
        if path.exists():
            pdf.add_font("DejaVu", "", str(path))
            bold = path.with_name("DejaVuSans-Bold.ttf")
            pdf.add_font("DejaVu", "B", str(bold if bold.exists() else path))
            return "DejaVu", True
    return "Helvetica", False


def _latin1(text: str) -> str:
    """Text Helvetica can write: accents dropped from letters outside Latin-1."""
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
        else:
            plain = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(plain or "?")
    return "".join(out)


def call_month_pdf(schedule: CallSchedule) -> bytes:
    zone = zoneinfo.ZoneInfo(_timezone(schedule))
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(f"{schedule.program.name} call {schedule.month:%B %Y}")
    pdf.set_author("Rounds")
    pdf.set_auto_page_break(auto=True, margin=12)
    family, unicode_ok = _font(pdf)
    text = (lambda s: s) if unicode_ok else _latin1
    pdf.add_page()
    pdf.set_font(family, "B", 15)
    pdf.multi_cell(
        0, 8, text(f"{schedule.program.name}: call schedule, {schedule.month:%B %Y}"),
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    pdf.set_font(family, "", 9)
    published = timezone.localtime(schedule.published_at, zone) if schedule.published_at else None
    when = f", published {published:%b %d %Y %H:%M}" if published else ""
    pdf.multi_cell(
        0, 5, text(f"Version {schedule.number}{when}. {schedule.reason}".strip()),
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    pdf.ln(3)
    pdf.set_font(family, "", 8.5)
    shifts = schedule.shifts.select_related("trainee__person", "site").order_by(
        "day", "start", "label", "trainee__person__last_name"
    )
    headings = ("Day", "Shift", "Hours", "Service · site", "Trainee")
    header_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=HEADER)
    with pdf.table(
        headings_style=header_style, col_widths=(22, 34, 26, 120, 75), line_height=5.5,
        text_align="LEFT", first_row_as_headings=True,
    ) as table:  # fmt: skip
        table.row(headings)
        for s in shifts:
            start, end = s.start.astimezone(zone), s.end.astimezone(zone)
            style = FontFace(fill_color=WEEKEND) if s.day.weekday() >= 5 else None
            where = " · ".join(part for part in (s.service, s.site.name) if part)
            table.row(
                (
                    f"{s.day:%a %d}",
                    text(s.label),
                    f"{start:%H:%M}–{end:%H:%M}" if unicode_ok else f"{start:%H:%M}-{end:%H:%M}",
                    text(where),
                    text(s.trainee.person.full_name),
                ),
                style=style,
            )
    return bytes(pdf.output())
