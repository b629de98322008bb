"""Shipped import profiles: one JSON file per known register layout."""
