"""Synthetic demo portfolio with planted ground truth (``seed_demo``).

``generator`` (pure: records in, records and truth out; the truth schema is in its docstring),
``writer`` (fast persistence, and clearing), ``reference`` (reference data from the database).
"""
