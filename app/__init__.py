"""The register itself: domain types, services, operations, import/export, sync, keys."""
