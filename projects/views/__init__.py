"""HTML pages of the projects app, one module per kind of page (``pages`` holds what they share)."""
