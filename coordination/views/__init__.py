"""The committee's pages, one module per area (dashboard, flags' review queues, municipality file, partners...)."""
