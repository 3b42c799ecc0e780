"""Plain Python shared by every app (no models, no ORM): text normalisation for Arabic and
English, spreadsheet-safe cells. It sits below municipalities ← projects ← coordination, so any
of them may import it."""
