"""One error base class with positions, and the exit codes the CLI maps errors to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes: 0 ok, 1 findings, 2 could not do what was asked, 70 a bug, 130/143 stopped."""

    OK = 0
    FINDINGS = 1
    CANNOT = 2
    INTERNAL = 70
    INTERRUPTED = 130
    TERMINATED = 143  # 128 + SIGTERM, as a shell reports it


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is and what to do about it.

    ``line`` and ``col`` are 1-based; 0 means the position is not known.
    """

    path: str
    line: int
    col: int
    field: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        # A file name with a newline (or another control character) must not break the line.
        path = self.path if self.path.isprintable() else self.path.encode("unicode_escape").decode()
        where = f"{path}:{self.line}:{self.col}" if self.line else path
        field = f" {self.field}:" if self.field else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}:{field} {self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        """Return the problem as plain data for JSON output."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


class NotifierError(Exception):
    """Base class of every error the library raises on purpose.

    ``str(error)`` is the text a user sees; ``exit_code`` is what the CLI exits with.
    """

    exit_code: ExitCode = ExitCode.CANNOT


class SheetError(NotifierError):
    """A fact sheet could not be read or is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    def __reduce__(self) -> tuple[type[SheetError], tuple[list[Problem]]]:
        return (type(self), (self.problems,))

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        paths = sorted({p.path for p in self.problems})
        n = len(self.problems)
        lines.append(f"{n} problem{'s' if n != 1 else ''} in {', '.join(paths)}")
        return "\n".join(lines)


class RenderRefused(NotifierError):  # noqa: N818 - the refusal is the feature
    """A notice was refused because it would contradict the facts or be unsafe to send."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    def __reduce__(self) -> tuple[type[RenderRefused], tuple[list[Problem]]]:
        return (type(self), (self.problems,))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class UsageError(NotifierError):
    """The request itself cannot be carried out (bad option, missing file, busy port)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __reduce__(self) -> tuple[type[UsageError], tuple[str]]:
        return (type(self), (self.message,))

    def __str__(self) -> str:
        return self.message


class SendError(UsageError):
    """A test email could not be sent: connection, login, recipient or server refused it."""


def describe_char(char: str) -> str:
    """Return 'U+001B (ESCAPE)' for a character, with its Unicode name where it has one."""
    import unicodedata  # only when a sheet holds an odd character: --help need not load it

    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(ord(char), "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


#: Names of the C0 and C1 controls, which ``unicodedata`` does not name.
_CONTROL_NAMES = {
    0x00: "NUL", 0x07: "BEL", 0x08: "BACKSPACE", 0x09: "TAB", 0x0A: "LINE FEED",
    0x0B: "VERTICAL TAB", 0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE",
    0x1C: "FILE SEPARATOR", 0x1D: "GROUP SEPARATOR", 0x1E: "RECORD SEPARATOR",
    0x7F: "DELETE", 0x85: "NEXT LINE",
}


def check_overrides(folder: Path | None) -> None:
    """Refuse a templates folder that does not exist (before any work is done).

    Raises:
        UsageError: ``folder`` is given and is not a folder.
    """
    if folder is not None and not folder.is_dir():
        raise UsageError(f"{folder}: no such templates folder; name a folder of "
                         "*.mjml.j2 / *.txt.j2 overrides")
