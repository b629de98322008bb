"""Data files read with importlib.resources: templates, synonyms, profiles, demo content."""
