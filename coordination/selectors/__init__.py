"""Reads for the committee's pages, one module per area."""

from coordination.selectors.overview import health_status, portfolio_overview

__all__ = ["health_status", "portfolio_overview"]
