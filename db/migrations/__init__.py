"""Alembic migrations of the register schema."""
