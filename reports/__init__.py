"""PDF documents rendered with reportlab."""
