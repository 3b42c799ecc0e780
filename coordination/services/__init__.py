"""Writes of the coordination app, one module per area (duplicates, gaps, delays, ...)."""
