"""The committee's view across everything: analysis flags, job runs, meetings (issues to come)."""
