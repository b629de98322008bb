"""Demo partnership content (data only)."""
