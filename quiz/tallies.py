"""Live per-commune tallies in Redis. The only module that names a Redis key.

This is the seam registration and grading call after their database commit succeeded.
"""
from quiz.models import Citizen


def record_registration(citizen: Citizen) -> None:
    """Count a new registration in the live tallies (no-op until the tallies exist)."""


def record_submission(outcome: "object") -> None:
    """Move the live tallies for a graded attempt (no-op until the tallies exist)."""
