"""Domain errors of assessment: each carries a message a person can act on."""

from __future__ import annotations


class AssessmentError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AnswersInvalid(AssessmentError):
    """Some answers cannot be taken; `errors` says which item (by position) and why."""

    def __init__(self, errors: dict[int, str]) -> None:
        count = len(errors)
        super().__init__(
            f"{count} answer{'s' if count != 1 else ''} need{'s' if count == 1 else ''} "
            "attention; nothing was saved."
        )
        self.errors = errors
