"""Errors a user can cause, each with a message a manager understands and what to do next."""

from __future__ import annotations


class JointleadError(Exception):
    """A problem the user can act on; never shown with a stack trace."""

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice

    def __str__(self) -> str:
        return f"{self.message} {self.advice}".strip()


class ValidationError(JointleadError):
    """The data given breaks a rule of the domain."""


class StillPointedAt(JointleadError):
    """An undo or redo would remove records that others now point at: refused, until those are changed or gone, when
    it can be tried again (unlike an undo refused for good, e.g. of a change made again since)."""
