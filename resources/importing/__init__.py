"""Data for spreadsheet import: column synonyms, controlled-value synonyms and shipped profiles."""
