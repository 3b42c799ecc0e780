"""Data exchange: IATI 2.03 activity files and 3W/4W spreadsheets, in and out.

``common.text`` (name normalisation) and ``common.spreadsheets`` (formula-safe
cells) are pure-Python helpers with no ORM or app state; they are imported here although
``coordination`` sits above ``projects`` (see the report of issue 6: they belong in a shared
lower module).
"""
