"""Project reporting: files attached to updates, the reporting calendar and its reminder e-mails, and
the partners' scorecards.

``calendar`` and ``filetypes`` are pure Python; ``selectors`` and ``scorecard`` read; ``attachments``
and ``reminders`` write (services).
"""
