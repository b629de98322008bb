"""Widgets the views share: the record form, table set-up."""
