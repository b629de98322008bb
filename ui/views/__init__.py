"""Navigation views of the main window: each has set_register(register | None) and refresh()."""
