"""Recipient lists for ``notifier merge``: CSV or JSON Lines, streamed, every row checked.

A list has one row per person: at least the email address and the audience id; optionally
the name, the locale, the data categories involved for this person (a subset of the
audience's), the activation code of a per-recipient protection offer, and the fields the
sheet declares under ``recipients.fields``. Rows are read one at a time and never kept:
memory stays flat however long the list is.

Problems name the row (its first line in the file) and the column, never the address:
``FILE:ROW:COL: column: what is wrong; what to do``.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from notifier.errors import NotifierError, Problem, UsageError, describe_char
from notifier.model import RECIPIENT_COLUMNS

if TYPE_CHECKING:
    from notifier.model import FactSheet

#: The longest name, field value and activation code a row may hold.
MAX_NAME, MAX_FIELD, MAX_CODE = 200, 200, 64
_BOM = b"\xef\xbb\xbf"
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_LOCALE = re.compile(r"[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*")
_CODE = re.compile(r"[\x21-\x7e]+")


class ProblemLog:
    """Every problem of a list, kept on disk past a megabyte: a list of ten million bad rows
    must not fill the memory."""

    def __init__(self) -> None:
        import tempfile

        self._file = tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+", encoding="utf-8")
        self.count = 0
        # closed when the log goes, whoever held it last (an error on its way to the CLI)
        weakref.finalize(self, self._file.close)

    def add(self, problem: Problem | str) -> None:
        """Record one problem (or one line of text that goes with them)."""
        self._file.write(str(problem).replace("\n", " ") + "\n")
        self.count += isinstance(problem, Problem)

    def lines(self) -> Iterator[str]:
        """Yield the problems in the order they were added."""
        self._file.seek(0)
        for line in self._file:
            yield line.rstrip("\n")
        self._file.seek(0, 2)

    def close(self) -> None:
        """Drop the problems."""
        self._file.close()


class RecipientsError(NotifierError):
    """A recipient list has problems: every one, as FILE:ROW:COL: column: what; what to do."""

    def __init__(self, log: ProblemLog, path: str) -> None:
        self.log = log
        self.path = path
        super().__init__(path)

    @classmethod
    def of(cls, problems: list[Problem]) -> RecipientsError:
        """Return the error for a few problems known at once (a header's)."""
        log = ProblemLog()
        for problem in problems:
            log.add(problem)
        return cls(log, problems[0].path if problems else "")

    def __str__(self) -> str:
        n = self.log.count
        lines = list(self.log.lines())
        lines.append(f"{n} problem{'s' if n != 1 else ''} in {self.path}; nothing was written "
                     "(--rejects FILE writes the good rows and puts these in FILE)")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One checked row: who, which audience (its index in the sheet), and their own values."""

    row: int
    email: str
    audience: int
    name: str = ""
    locale: str = ""  # '' means the audience's
    categories: tuple[str, ...] | None = None  # None means the audience's
    activation_code: str = ""
    fields: tuple[str, ...] = ()  # the audience's declared fields, in the sheet's order


@dataclass(slots=True)
class RawRow:
    """A row as read: where it starts, its values by column, and any problem reading it."""

    line: int
    values: dict[str, Any]
    raw: Any  # the row as the file has it (a list of cells, or the JSON object), for rejects
    col_of: Callable[[str], int]
    problems: list[Problem]


def address_key(email: str) -> str:
    """Return the form of an address that identifies a person: trimmed, case-folded."""
    return email.strip().casefold()


def shard_of(email: str, shards: int) -> int:
    """Return the 0-based shard of an address: a stable hash, the same on every machine."""
    digest = hashlib.blake2b(address_key(email).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def list_kind(path: Path) -> str:
    """Return 'csv' or 'jsonl' from the file's extension.

    Raises:
        UsageError: the extension names neither.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise UsageError(f"{path}: a recipient list is a .csv file (UTF-8, with or without BOM) or a "
                     ".jsonl file (one JSON object a line); rename it with the extension of its format")


class RowReader:
    """Iterate a recipient list's rows, streamed; ``digest`` is the hash of the bytes read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = list_kind(path)
        self.columns: list[str] = []
        self.header_problems: list[Problem] = []
        self._hash = hashlib.blake2b(digest_size=16)
        self._file: IO[bytes] | None = None

    def __enter__(self) -> RowReader:
        try:
            self._file = self.path.open("rb")
        except OSError as exc:
            raise UsageError(f"{self.path}: cannot read the recipient list ({exc.strerror or exc}); "
                             "check the path and its permissions") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()

    @property
    def digest(self) -> str:
        """The hash of every byte read so far (the whole file once iteration has ended)."""
        return self._hash.hexdigest()

    def _lines(self, bad: dict[int, Problem]) -> Iterator[str]:
        assert self._file is not None
        update = self._hash.update
        for n, data in enumerate(self._file, 1):
            update(data)
            if n == 1 and data.startswith(_BOM):
                data = data[3:]
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError as exc:
                col = len(data[: exc.start].decode("utf-8", "replace")) + 1
                bad[n] = Problem(str(self.path), n, col, "", f"is not UTF-8 text (byte "
                                 f"0x{data[exc.start]:02X})", "save the list as UTF-8 (in a "
                                 "spreadsheet: CSV UTF-8)")
                yield data.decode("utf-8", "replace")

    def __iter__(self) -> Iterator[RawRow]:
        return self._csv() if self.kind == "csv" else self._jsonl()

    def _csv(self) -> Iterator[RawRow]:
        bad: dict[int, Problem] = {}
        reader = csv.reader(self._lines(bad), strict=False)
        path = str(self.path)
        start = 1
        header = next(reader, None)
        self.columns = [c.strip() for c in header] if header else []
        self._check_header(bad)
        index = {name: i for i, name in enumerate(self.columns)}
        width = len(self.columns)

        def col_of(name: str) -> int:
            return index.get(name, width) + 1

        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not record or record == [""]:
                continue
            problems = [p for n in range(line, start) if (p := bad.pop(n, None))]
            if len(record) > width:
                problems.append(Problem(path, line, width + 1, "", f"has {len(record)} cells, but "
                                        f"the header names {width} columns",
                                        "remove the extra cells, or quote a value that holds a comma"))
            values = dict(zip(self.columns, record, strict=False))
            yield RawRow(line, values, record, col_of, problems)

    def _check_header(self, bad: dict[int, Problem]) -> None:
        path = str(self.path)
        problems = [bad.pop(1)] if 1 in bad else []
        seen: set[str] = set()
        for i, name in enumerate(self.columns, 1):
            if name in seen:
                problems.append(Problem(path, 1, i, name, "is a column name used twice",
                                        "name each column once"))
            seen.add(name)
        for name in ("email", "audience"):
            if name not in seen:
                problems.append(Problem(path, 1, 1, name, "the header has no such column",
                                        f"add a column named {name!r} (the first row names the columns)"))
        self.header_problems = problems

    def _jsonl(self) -> Iterator[RawRow]:
        bad: dict[int, Problem] = {}
        path = str(self.path)
        for n, text in enumerate(self._lines(bad), 1):
            if not text.strip():
                continue
            problems = [p for p in (bad.pop(n, None),) if p]

            def col_of(name: str, text: str = text) -> int:
                found = text.find(json.dumps(name) + ":")
                found = found if found >= 0 else text.find(json.dumps(name))
                return found + 1 if found >= 0 else 1

            try:
                value = json.loads(text.rstrip("\r\n"))
            except ValueError as exc:
                col = getattr(exc, "colno", 1)
                problems.append(Problem(path, n, col, "", f"is not JSON ({getattr(exc, 'msg', exc)})",
                                        'write one JSON object a line, e.g. {"email": '
                                        '"jane@example.com", "audience": "customers"}'))
                yield RawRow(n, {}, text, col_of, problems)
                continue
            if not isinstance(value, dict):
                problems.append(Problem(path, n, 1, "", "is not a JSON object",
                                        'write one object a line: {"email": ..., "audience": ...}'))
                value = {}
            yield RawRow(n, value, value, col_of, problems)


def _check_email(email: str, bad: Callable[[str, str, str], None]) -> None:
    """Refuse an empty, non-ASCII or malformed address (the message never repeats it)."""
    if not email:
        bad("email", "is empty", "give the recipient's email address")
    elif not email.isascii():
        bad("email", "has characters outside ASCII", "write an internationalised domain in "
            "its xn-- form; an address whose local part is not ASCII cannot be merged")
    elif not _EMAIL.fullmatch(email) or ".." in email or len(email) > 254:
        bad("email", "is not an email address", "write it as name@example.com, without a "
            "display name or angle brackets")


@dataclass(frozen=True)
class _Audience:
    index: int
    id: str
    reached: tuple[str, ...]  # the categories involved or possibly involved, the sheet's order
    code: bool  # its readers get a protection offer with a per-recipient activation code
    fields: tuple[str, ...]  # ids of the declared fields its rows carry


class RowRules:
    """The checks every row of a list gets for one sheet (what it may say, and must)."""

    def __init__(self, sheet: FactSheet, path: Path) -> None:
        from notifier.context import offer_for

        self.path = str(path)
        declared = sheet.recipients.fields if sheet.recipients else []
        self.field_ids = tuple(f.id for f in declared)
        self.audiences: dict[str, _Audience] = {}
        for i, audience in enumerate(sheet.audiences):
            offer = offer_for(sheet, i)
            self.audiences[audience.id] = _Audience(
                i, audience.id, tuple(sheet.audience_reached(audience)),
                offer is not None and offer.activation_code == "per_recipient",
                tuple(f.id for f in declared if f.audiences is None or audience.id in f.audiences))
        self.notices = {a.id: a.notice for a in sheet.audiences}
        self.known = set(RECIPIENT_COLUMNS) | set(self.field_ids)

    def check_columns(self, columns: list[str]) -> list[Problem]:
        """Return the problems of a CSV header: columns the sheet does not know of, and the
        declared fields it lacks."""
        problems = []
        for i, name in enumerate(columns, 1):
            if name not in self.known:
                problems.append(self._unknown_column(name, 1, i))
        for field_id in self.field_ids:
            if field_id not in columns:
                problems.append(Problem(self.path, 1, 1, field_id, "the sheet declares this "
                                        "per-recipient field, and the header has no such column",
                                        f"add a column named {field_id!r}"))
        return problems

    def _unknown_column(self, name: str, line: int, col: int) -> Problem:
        near = difflib.get_close_matches(name, sorted(self.known), 1)
        return Problem(self.path, line, col, name, "is not a column a recipient list can have",
                       f"did you mean {near[0]!r}?" if near else
                       "remove it, or declare it in the sheet under recipients.fields "
                       f"(the columns are {', '.join(sorted(self.known))})")

    def check(self, raw: RawRow, *, jsonl: bool = False) -> tuple[Recipient | None, list[Problem]]:
        """Check one row; return the recipient (None when the row has a problem) and the problems."""
        problems = list(raw.problems)
        values = raw.values
        line, col_of = raw.line, raw.col_of

        def bad(column: str, message: str, hint: str) -> None:
            problems.append(Problem(self.path, line, col_of(column), column, message, hint))

        if jsonl:
            for key in values:
                if key not in self.known:
                    problems.append(self._unknown_column(str(key), line, col_of(str(key))))
        text = self._texts(values, bad)
        email = text.get("email", "")
        _check_email(email, bad)
        audience = self._audience(text.get("audience", ""), bad)
        name = text.get("name", "")
        if name:
            self._single_line(name, "name", MAX_NAME, bad)
            # a run of spaces is one, as mail readers show a name
            name = " ".join(part for part in name.split(" ") if part)
        locale = text.get("locale", "")
        if locale and not _LOCALE.fullmatch(locale):
            bad("locale", "is not a BCP 47 language tag", "write e.g. en-GB or en-US, or leave it "
                "empty for the audience's locale")
        categories = self._categories(text.get("categories", ""), audience, bad)
        code = text.get("activation_code", "")
        if audience is not None:
            code = self._code(code, audience, bad)
        fields = self._fields(text, audience, bad)
        if problems or audience is None:
            return None, problems
        return Recipient(line, email, audience.index, name, locale, categories, code, fields), []

    def _texts(self, values: dict[str, Any], bad: Callable[[str, str, str], None]) -> dict[str, str]:
        """Return the row's known columns as text (a JSON list of categories joined)."""
        text: dict[str, str] = {}
        for key in RECIPIENT_COLUMNS + self.field_ids:
            value = values.get(key)
            if value is None:
                continue
            if key == "categories" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                text[key] = " ".join(value)
            elif isinstance(value, str):
                text[key] = value.strip()
            else:
                bad(key, f"is {type(value).__name__}, not text", "write the value as a JSON string")
        return text

    def _audience(self, value: str, bad: Callable[[str, str, str], None]) -> _Audience | None:
        if not value:
            bad("audience", "is empty", "give the id of one of the sheet's audiences")
            return None
        found = self.audiences.get(value)
        if found is None:
            near = difflib.get_close_matches(value, sorted(self.audiences), 1)
            bad("audience", f"{value!r} is not an audience of the sheet",
                f"did you mean {near[0]!r}?" if near else
                f"use one of: {', '.join(sorted(self.audiences))}")
            return None
        if self.notices[value] == "regulator_report":
            bad("audience", f"{value!r} gets a regulator report, a draft for an authority, not a "
                "notice to each person", "use an audience of people affected")
            return None
        return found

    def _categories(self, value: str, audience: _Audience | None,
                    bad: Callable[[str, str, str], None]) -> tuple[str, ...] | None:
        names = [n for n in re.split(r"[;,\s]+", value) if n]
        if not names or audience is None:
            return None
        wrong = [n for n in names if n not in audience.reached]
        for name in wrong:
            near = difflib.get_close_matches(name, audience.reached, 1)
            bad("categories", f"{name!r} is not among audience {audience.id!r}'s data "
                f"({', '.join(audience.reached) or 'none'})",
                f"did you mean {near[0]!r}?" if near else "a recipient's categories are a subset "
                "of the audience's: remove it, or add it to the audience in the sheet")
        if wrong:
            return None
        chosen = set(names)
        subset = tuple(c for c in audience.reached if c in chosen)
        return None if subset == audience.reached else subset

    def _code(self, value: str, audience: _Audience, bad: Callable[[str, str, str], None]) -> str:
        if not audience.code:
            if value:
                bad("activation_code", f"audience {audience.id!r} gets no protection offer with "
                    "a code for each reader", "leave it empty (or set activation_code: "
                    "per_recipient on the sheet's protection_offer)")
            return ""
        if not value:
            bad("activation_code", "is empty, and this audience's protection offer gives each "
                "reader a code", "give the recipient's activation code")
        elif len(value) > MAX_CODE or not _CODE.fullmatch(value):
            bad("activation_code", f"is not a code (letters, digits and punctuation, no spaces, "
                f"at most {MAX_CODE})", "write the code as the provider issued it")
        return value

    def _fields(self, text: dict[str, str], audience: _Audience | None,
                bad: Callable[[str, str, str], None]) -> tuple[str, ...]:
        wanted = audience.fields if audience else ()
        for field_id in self.field_ids:
            if field_id not in wanted and text.get(field_id) and audience is not None:
                bad(field_id, f"is not a field of audience {audience.id!r}", "leave it empty, or "
                    "add the audience to the field's audiences in the sheet")
        values = []
        for field_id in wanted:
            value = text.get(field_id, "")
            if not value:
                bad(field_id, "is empty; the sheet declares it for this audience",
                    "give the recipient's value")
            else:
                self._single_line(value, field_id, MAX_FIELD, bad)
            values.append(value)
        return tuple(values)

    @staticmethod
    def _single_line(value: str, column: str, limit: int,
                     bad: Callable[[str, str, str], None]) -> None:
        found = _UNSAFE.search(value)
        if found:
            char = found.group()
            what = "line break" if char in _BREAKS else "control character"
            bad(column, f"holds the {what} {describe_char(char)} at character {found.start() + 1}; "
                "it would break the email header or hide text from the reader",
                "write the value on one line, without control characters")
            return
        if len(value) > limit:
            bad(column, f"is {len(value)} characters long; at most {limit}", "shorten it")


#: What a per-recipient value may not hold: the controls (Unicode category Cc: C0, DEL, C1),
#: the line and paragraph separators (Zl, Zp), and the bidirectional overrides and isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
