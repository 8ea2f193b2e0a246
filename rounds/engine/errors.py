"""Errors the engine raises for input a person must fix."""

from __future__ import annotations


class ProblemError(ValueError):
    """Bad input data; the message names where (`shifts[2].length`) and what is wrong.

    `path` is the location inside the input document, `reason` what is wrong there, so a command
    line can print `shifts[2].length: must be positive` and a web page can put the reason next to
    the field it concerns.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)
