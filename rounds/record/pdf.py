"""The verification letter as a PDF, with fpdf2 (pure Python, no system libraries).

The letter is built only from its frozen facts, so the PDF, the page and the public check say
the same thing. fpdf2's core fonts cover Latin-1; a character outside it (a name in another
script) is written as its closest Latin-1 form rather than failing the letter.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from fpdf import FPDF


def _latin1(text: str) -> str:
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        folded = unicodedata.normalize("NFKD", text)
        return folded.encode("latin-1", "ignore").decode("latin-1") or "?"


def _day(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%B %-d, %Y") if iso else "not started"


def letter_sentences(facts: dict[str, Any]) -> list[str]:
    """The body of the letter, one paragraph a sentence (also shown on the pages)."""
    name, program = facts["name"], facts["program"]
    accreditation = facts["accreditation"]
    number = f" (ACGME program {facts['acgme_number']})" if facts["acgme_number"] else ""
    lines = [f"{program}{number}, {facts['specialty']}: {accreditation}."]
    if facts["completed"]:
        lines.append(
            f"{name} trained in this program from {_day(facts['start'])} and completed "
            f"training on {_day(facts['through'])}."
        )
    elif facts["standing"] == "Withdrawn":
        lines.append(
            f"{name} trained in this program from {_day(facts['start'])} and withdrew from it; "
            f"the last day of training was {_day(facts['through'])}."
        )
    else:
        lines.append(
            f"{name} has trained in this program from {_day(facts['start'])} through "
            f"{_day(facts['through'])}. Standing on the date of this letter: {facts['standing']}."
        )
    if facts["pgy_levels"]:
        levels = ", ".join(f"PGY-{n}" for n in facts["pgy_levels"])
        lines.append(f"Training levels: {levels}.")
    for leave in facts["leaves"]:
        lines.append(
            f"Leave of absence: {_day(leave['first'])} to {_day(leave['last'])} "
            f"({leave['days']} days)."
        )
    for extension in facts["extensions"]:
        why = (
            f" to make up {extension['leave_days']} days of leave beyond the specialty board's "
            "allowance"
            if extension.get("leave_days")
            else ""
        )
        lines.append(
            f"Training extended on {_day(extension['recorded'])} to {_day(extension['to'])}{why}."
        )
    if not facts["leaves"] and not facts["extensions"]:
        lines.append("No leave of absence or extension of training is recorded.")
    # Stated only where the institution's policy says so (then the key is there, maybe empty).
    if "remediation" in facts:
        for r in facts["remediation"]:
            until = f" to {_day(r['last'])}: {r['outcome']}" if r["last"] else ", ongoing"
            lines.append(f"{r['kind']} from {_day(r['first'])}{until}.")
        if not facts["remediation"]:
            lines.append("No remediation or probation is recorded.")
    return lines


def letter_pdf(
    *,
    facts: dict[str, Any],
    title: str,
    institution: str,
    signer: str,
    issued_on: date,
    code: str,
    verify_url: str,
) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_title(_latin1(title))
    pdf.set_creator("Rounds")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _latin1(institution), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 7, "Graduate Medical Education", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 7, f"Date: {issued_on:%B %-d, %Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for sentence in letter_sentences(facts):
        pdf.multi_cell(0, 6, _latin1(sentence), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(10)
    pdf.set_font("Helvetica", "I", 11)
    pdf.cell(0, 6, _latin1(f"Signed: {signer}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, _latin1(f"Program Director, {facts['program']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        5,
        _latin1(
            f"A credentialing office can confirm this letter at {verify_url} (the verification "
            "code below). That page shows the facts of this letter and nothing else."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Courier", "B", 12)
    pdf.cell(0, 8, f"Verification code: {code}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
