"""MObjects: Marketo's standard objects behind describeMObject, getMObjects and syncMObjects."""

from __future__ import annotations

# What listMObjects and describeMObject know (the docs' list, in their order).
DESCRIBABLE_TYPES = ("ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole")
