"""ACGME work-hour checker: limits, averaging windows, and a checker over a trainee's record."""

from __future__ import annotations

from rounds.engine.workhours.check import (
    Finding,
    Report,
    check,
    weekly_average,
    weekly_averages,
)
from rounds.engine.workhours.record import HomeCall, Leave, Period, Record, Rotation, Trainee
from rounds.engine.workhours.rules import RULES, Limits, Window, averaging_windows

__all__ = [
    "RULES",
    "Finding",
    "HomeCall",
    "Leave",
    "Limits",
    "Period",
    "Record",
    "Report",
    "Rotation",
    "Trainee",
    "Window",
    "averaging_windows",
    "check",
    "weekly_average",
    "weekly_averages",
]
