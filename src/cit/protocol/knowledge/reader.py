"""Reading the knowledge base's TOML files: typed access to a table that names the
file, entry and field of any problem (:class:`KnowledgeError`)."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final, TypeVar

T = TypeVar("T")


class KnowledgeError(Exception):
    """A knowledge-base file is missing, malformed or inconsistent.

    The message names the file, the entry (e.g. ``rule 'isotretinoin'``) and the field.
    """

    def __init__(self, file: str, message: str, entry: str | None = None, field: str | None = None):
        self.file = file
        self.entry = entry
        self.field = field
        self.detail = message
        where = [file]
        if entry:
            where.append(entry)
        if field:
            where.append(f"field '{field}'")
        super().__init__(": ".join([*where, message]))


MISSING: Final = object()


class Table:
    """A TOML table being read: typed accessors that raise :class:`KnowledgeError` naming the
    file, entry and field, and :meth:`done` to reject fields nobody read (typos)."""

    def __init__(self, file: str, entry: str | None, data: Any):
        if not isinstance(data, dict):
            raise KnowledgeError(file, "expected a table", entry)
        self.file = file
        self.entry = entry
        self.data: dict[str, Any] = data
        self._read: set[str] = set()

    def error(self, field: str | None, message: str) -> KnowledgeError:
        return KnowledgeError(self.file, message, self.entry, field)

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: Any) -> Any:
        self._read.add(key)
        if key in self.data:
            return self.data[key]
        if default is MISSING:
            near = difflib.get_close_matches(key, [k for k in self.data if k not in self._read], 1)
            hint = f" (is '{near[0]}' a typo for it?)" if near else ""
            raise self.error(key, f"missing{hint}")
        return default

    def text(self, key: str, default: Any = MISSING) -> Any:
        value = self._get(key, default)
        if value is not default and not isinstance(value, str):
            raise self.error(key, f"expected text, got {value!r}")
        return value

    def integer(self, key: str, default: Any = MISSING) -> Any:
        value = self._get(key, default)
        if value is not default and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.error(key, f"expected a whole number, got {value!r}")
        return value

    def number(self, key: str, default: Any = MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"expected a number, got {value!r}")
        return float(value)

    def flag(self, key: str, default: Any = MISSING) -> Any:
        value = self._get(key, default)
        if value is not default and not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def texts(self, key: str, default: Any = MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, f"expected a list of texts, got {value!r}")
        return tuple(value)

    def numbers(self, key: str, length: int, default: Any = MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if (
            not isinstance(value, list)
            or len(value) != length
            or not all(
                isinstance(item, int | float) and not isinstance(item, bool) for item in value
            )
        ):
            raise self.error(key, f"expected a list of {length} numbers, got {value!r}")
        return tuple(float(item) for item in value)

    def integers(self, key: str, length: int, default: Any = MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if (
            not isinstance(value, list)
            or len(value) != length
            or not all(isinstance(item, int) and not isinstance(item, bool) for item in value)
        ):
            raise self.error(key, f"expected a list of {length} whole numbers, got {value!r}")
        return tuple(value)

    def choice(self, key: str, choices: Iterable[str], default: Any = MISSING) -> Any:
        value = self.text(key, default)
        allowed = tuple(choices)
        if value is not default and value not in allowed:
            raise self.error(key, f"unknown value {value!r} (expected one of {', '.join(allowed)})")
        return value

    def table(self, key: str, entry: str | None = None) -> Table:
        return Table(self.file, entry or self.entry, self._get(key, MISSING))

    def optional_table(self, key: str, entry: str | None = None) -> Table | None:
        value = self._get(key, None)
        return None if value is None else Table(self.file, entry or self.entry, value)

    def array(self, key: str, name: str, id_key: str | None = "id") -> list[Table]:
        """An array of tables; each entry is named ``<name> '<id>'`` (or by its position)."""
        value = self._get(key, MISSING)
        if not isinstance(value, list):
            raise self.error(key, "expected an array of tables")
        tables = []
        for index, item in enumerate(value):
            label = f"{name} #{index + 1}"
            if id_key and isinstance(item, dict) and isinstance(item.get(id_key), str):
                label = f"{name} '{item[id_key]}'"
            tables.append(Table(self.file, label, item))
        return tables

    def items(self) -> list[tuple[str, Any]]:
        self._read.update(self.data)
        return list(self.data.items())

    def done(self) -> None:
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            raise self.error(unknown[0], "unknown field (a typo?)")


def read_toml(directory: Path, name: str) -> tuple[Table, bytes]:
    path = directory / name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise KnowledgeError(name, f"cannot be read ({error.strerror or error})") from error
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise KnowledgeError(name, f"is not valid TOML: {error}") from error
    return Table(name, None, data), raw


def read_grades(table: Table, key: str, *, required: bool) -> tuple[tuple[int, str], ...]:
    """``[[value, label], ...]`` in rising order of value."""
    raw = table._get(key, MISSING if required else [])
    try:
        grades = tuple((int(value), str(label)) for value, label in raw)
    except (TypeError, ValueError) as error:
        raise table.error(key, f"malformed: {error}") from error
    values = [value for value, _ in grades]
    if values != sorted(set(values)) or (required and len(values) < 2):
        raise table.error(key, "needs two or more grades in rising order of value")
    return grades
