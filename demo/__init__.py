"""The demo app: no models, nothing imports it.

A synthetic portfolio with planted ground truth and the benchmark commands:
- ``generator`` (pure: reference records in, a portfolio and its truth out; the truth schema is in its
  docstring) with ``builder``, ``schedule``, ``vocabulary``, ``chance``, ``records`` and ``truth``;
- ``writer`` (fast persistence, and clearing) and ``reference`` (reference records read from the database;
  ``fixture_reference`` reads the committed reference files instead);
- ``duplicate_records`` and ``gap_delay_records``: generator records turned into the analysis engines' records;
- commands ``seed_demo``, ``bench_analysis``, ``bench_duplicates``, ``bench_incremental``.
"""
