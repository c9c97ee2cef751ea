"""The contest core: rounds, attempts, grading, ranking and question statistics."""
