"""Infrastructure every layer uses: extensions, the database transaction, Redis, clock, text and phones."""
