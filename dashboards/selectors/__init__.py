"""Aggregates for the dashboards: counts and breakdowns, never a list of people."""

from dashboards.selectors.ministry import AREA_MODELS, Panel, ministry_dashboard
from dashboards.selectors.partner import partner_dashboard
from dashboards.selectors.system import system_overview

__all__ = ["AREA_MODELS", "Panel", "ministry_dashboard", "partner_dashboard", "system_overview"]
