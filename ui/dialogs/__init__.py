"""Dialogs: one module each, each reached through a classmethod `ask()` that tests can patch."""
