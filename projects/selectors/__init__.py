"""Reads of partners, projects and updates, with who may see what decided once (``projects.permissions``).

- ``projects``: the scoped reads (projects and updates a user may see), lists, search, filters, the review queue;
- ``money``: USD totals at the staff-set rates;
- ``history``: a record's audit trail, as the user may see it.
"""
