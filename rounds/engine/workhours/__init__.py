"""ACGME work-hour checker: limits, averaging windows, and a checker over a trainee's record."""

from __future__ import annotations

from rounds.engine.workhours.rules import RULES, Limits, Window, averaging_windows

__all__ = ["RULES", "Limits", "Window", "averaging_windows"]
