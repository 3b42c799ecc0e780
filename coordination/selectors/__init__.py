"""Reads for the committee's pages, one module per area."""

from coordination.selectors.overview import portfolio_overview

__all__ = ["portfolio_overview"]
