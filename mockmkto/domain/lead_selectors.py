"""Lead selectors (getMultipleLeads, getLeadChanges): which leads a selector picks, by Marketo's
rules (the store makes it a condition on each lead row), and getMultipleLeads' pages of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from mockmkto.domain import streams
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_keys import check_lead_key, key_lookup_value
from mockmkto.domain.lead_views import LeadView, views
from mockmkto.domain.lists import find_static_list
from mockmkto.store import lead_repository
from mockmkto.store.lead_repository import LeadSelection

# Lead selectors of getMultipleLeads and getLeadChanges (chosen by xsi:type on the wire).
MAX_SELECTOR_KEYS = 100
MAX_UPDATE_RANGE = timedelta(days=30)


@dataclass
class LeadKeySelector:
    key_type: str | None
    key_values: list[str]


@dataclass
class StaticListSelector:
    list_name: str | None = None
    list_id: int | None = None


@dataclass
class LastUpdateAtSelector:
    oldest_updated_at: datetime | None
    latest_updated_at: datetime | None = None


LeadSelector = LeadKeySelector | StaticListSelector | LastUpdateAtSelector


def selected_lead_ids(
    session: Session, clock: Clock, selector: LeadSelector, strict_key_limit: bool = False
) -> LeadSelection:
    """The leads a selector picks, as the store's condition on lead rows (`lead_repository.LeadSelection`).

    LeadKeySelector uses its first 100 keys (getLeadChanges: more is 20110); StaticListSelector
    needs a known list (20111); LastUpdateAtSelector spans at most 30 days (20022) over
    [oldest, latest), latest defaulting to now, and counts new activity as an update.
    """
    if isinstance(selector, LeadKeySelector):
        if strict_key_limit and len(selector.key_values) > MAX_SELECTOR_KEYS:
            raise MarketoError(20110, f"At most {MAX_SELECTOR_KEYS} keys in a LeadKeySelector")
        if not selector.key_values:
            raise MarketoError(20101, "LeadKeySelector needs keyValues")
        key_type, _ = check_lead_key(selector.key_type, selector.key_values[0])
        values = [key_lookup_value(key_type, v) for v in selector.key_values[:MAX_SELECTOR_KEYS]]
        return lead_repository.key_selector(key_type, values)
    if isinstance(selector, StaticListSelector):
        static_list = find_static_list(session, selector.list_name, selector.list_id)
        return lead_repository.static_list_selector(static_list.id)
    if isinstance(selector, LastUpdateAtSelector):
        if selector.oldest_updated_at is None:
            raise MarketoError(20109, "LastUpdateAtSelector needs oldestUpdatedAt")
        oldest = _aware(selector.oldest_updated_at)
        latest = _aware(selector.latest_updated_at) if selector.latest_updated_at else clock.now()
        if latest - oldest > MAX_UPDATE_RANGE:
            raise MarketoError(20022, "Time range between oldestUpdatedAt and latestUpdatedAt exceeds 30 days")
        return lead_repository.last_update_at_selector(oldest, latest)
    raise MarketoError(20109, "A lead selector is required")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass
class LeadPage:
    return_count: int
    remaining_count: int
    new_stream_position: str
    leads: list[LeadView]


DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def get_multiple_leads(
    session: Session,
    clock: Clock,
    selector: LeadSelector | None,
    last_updated_at: datetime | None = None,
    stream_position: str | None = None,
    batch_size: int | None = None,
    include_attributes: list[str] | None = None,
) -> LeadPage:
    """getMultipleLeads: one page of the selected leads in Id order.

    The page holds up to batchSize leads (default 100, at most 1000). newStreamPosition is empty
    once nothing remains; a position with nothing left behind it is 20123 Stream at End. The
    first page counts the selection; later pages carry that count in their position (counting
    again only if leads were added meanwhile), so paging does not re-count a million leads a page.
    """
    if selector is None and last_updated_at is not None:
        selector = LastUpdateAtSelector(last_updated_at)
    if selector is None:
        raise MarketoError(20109, "leadSelector is required")
    if batch_size is not None and batch_size <= 0:
        raise MarketoError(20110, "batchSize must be positive")
    size = min(batch_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    query = streams.fingerprint("getMultipleLeads", selector)
    state = streams.decode(stream_position, query) if stream_position and stream_position.strip() else {}
    after = state.get("after", 0)
    selection = selected_lead_ids(session, clock, selector)
    # Rows of the columns a view reads, not Lead objects: a page is up to 1,000 leads.
    rows = lead_repository.selected_view_rows(session, selection, after, size + 1)
    if after and not rows:
        raise MarketoError(20123, "Stream at end: no more leads after this position")
    page, more = rows[:size], len(rows) > size
    remaining = state["remaining"] - len(page) if "remaining" in state else None
    if not more:
        remaining = 0
    elif remaining is None or remaining <= 0:
        remaining = lead_repository.count_selected(session, selection, after) - len(page)
    position = streams.encode(query, after=page[-1].id, remaining=remaining) if remaining else ""
    only = set(include_attributes) if include_attributes else None
    return LeadPage(len(page), remaining, position, views(session, page, only))
