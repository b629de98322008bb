"""Table models over prepared rows from `app` (no proxy models for large tables)."""
