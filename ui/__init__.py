"""Desktop application and the isr command line (the only layer that imports Qt)."""
