"""The seed document format's building blocks: reading, walking and naming the bad path."""

from __future__ import annotations

import json
from typing import Literal, overload

from mockmkto.domain.lead_fields import DATA_TYPES
from mockmkto.domain.values import INT_MAX, TEXT_MAX, whole_number


class SeedError(ValueError):
    """A seed document that cannot be loaded; `path` names the bad place."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def read_seed_file(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        try:
            return json.load(handle)
        except json.JSONDecodeError as exc:
            raise SeedError("$", f"not JSON: {exc}") from None


def items(doc: dict, key: str, path: str) -> list[tuple[str, dict]]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise SeedError(f"{path}{key}", "must be a list")
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise SeedError(f"{path}{key}[{index}]", "must be an object")
        out.append((f"{path}{key}[{index}]", item))
    return out


@overload
def text(item: dict, key: str, path: str, required: Literal[True] = True) -> str: ...
@overload
def text(item: dict, key: str, path: str, required: bool) -> str | None: ...
def text(item: dict, key: str, path: str, required: bool = True) -> str | None:
    value = item.get(key)
    if value is None:
        if required:
            raise SeedError(f"{path}.{key}", "is required")
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value).strip() == "":
        raise SeedError(f"{path}.{key}", "must be a non-empty string")
    if len(str(value)) > TEXT_MAX:
        raise SeedError(f"{path}.{key}", f"must be at most {TEXT_MAX} characters")
    return str(value)


def description(item: dict, path: str) -> str | None:
    """An item's description: any text, empty when absent (null stays null)."""
    value = item.get("description", "")
    if value is not None and not isinstance(value, str):
        raise SeedError(f"{path}.description", "must be a string")
    return value


def field_type(item: dict, path: str) -> tuple[str, int | None]:
    """A declared field's `dataType` (default string) and optional positive `size`."""
    data_type = item.get("dataType", "string")
    if data_type not in DATA_TYPES:
        raise SeedError(f"{path}.dataType", f"must be one of {', '.join(DATA_TYPES)}")
    size = item.get("size")
    if size is not None and not whole_number(size, 1):
        raise SeedError(f"{path}.size", f"must be a whole number from 1 to {INT_MAX}")
    return data_type, size


def optional_id(item: dict, path: str, key: str = "id") -> int | None:
    """The item's `key`, an id it asks for: None, or a whole number from 1 to INT_MAX (Marketo's ids
    are 32-bit)."""
    value = item.get(key)
    if value is not None and not whole_number(value, 1):
        raise SeedError(f"{path}.{key}", f"must be a whole number from 1 to {INT_MAX}")
    return value
