"""Storage layer: SQLAlchemy models over SQLCipher, migrations, queries."""
