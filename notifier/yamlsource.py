"""YAML text to plain data plus a map from field path to source position, safely.

The loader is a local subclass of PyYAML's ``SafeLoader`` with no implicit resolvers, and
plain scalars are interpreted with the YAML 1.2 core schema here: ``NO``, ``on`` and ``yes``
stay strings (Norway is never ``false``), timestamps stay text for the model to check,
duplicate keys at any depth are problems, unknown tags construct nothing, and alias
expansion is bounded so that a "billion laughs" document fails fast in bounded memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from notifier.errors import Problem, SheetError, describe_char
from notifier.sheetfile import MAX_BYTES as MAX_BYTES
from notifier.sheetfile import decode, read_limited, too_large

#: Most values a document may hold: ten times what fits in MAX_BYTES of real sheet (a
#: 3,000-audience sheet is 300 kB and about 20,000 values); only a list of bare numbers or
#: letters reaches it.
MAX_VALUES = 200_000
#: Most values a document may expand to through aliases (a "billion laughs" stops here).
MAX_NODES = 20_000
#: Deepest nesting accepted; a fact sheet is about five levels deep.
MAX_DEPTH = 40

FieldPath = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")

#: Words YAML 1.1 read as true or false. Unquoted in a text field they are almost always
#: meant as an answer, not as the text: the schema check refuses them there.
YES_NO_WORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off"})

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_EXPLICIT_SCALARS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class _PyLoader(yaml.SafeLoader):
    """Composes nodes only; every plain scalar is tagged str and interpreted by us."""

    yaml_implicit_resolvers: dict[Any, Any] = {}


class _CLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same with libyaml's composer: ten times faster, which the live preview feels."""

    yaml_implicit_resolvers: dict[Any, Any] = {}


#: libyaml when PyYAML was built with it; both give the same nodes and marks (tested).
_Loader: type = _CLoader if getattr(yaml, "__with_libyaml__", False) else _PyLoader


@dataclass
class Source:
    """A parsed YAML document: its data and where each field came from."""

    path: str
    data: dict[str, Any]
    #: field path -> (line, col) of the value (1-based)
    marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    #: field path -> (line, col) of the key that introduced it (mappings only)
    key_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    #: non-fatal problems found while reading (duplicate keys, odd tags)
    problems: list[Problem] = field(default_factory=list)
    #: field path -> the text as written, for each unquoted scalar YAML read as a number,
    #: true/false or null, or that is a yes/no word: the schema decides what it means
    plain: dict[FieldPath, str] = field(default_factory=dict)
    #: field path -> (start, end) character offsets of each scalar in ``text``
    spans: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    #: the document's text
    text: str = ""
    #: things worth saying that do not stop the sheet (a discovery dated in the future)
    warnings: list[Problem] = field(default_factory=list)

    def position(self, loc: FieldPath, *, key: bool = False) -> tuple[int, int]:
        """Return the best known (line, col) for a field path, walking up to a parent."""
        loc = tuple(loc)
        while True:
            if key and loc in self.key_marks:
                return self.key_marks[loc]
            if loc in self.marks:
                return self.marks[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _dotted(loc: FieldPath) -> str:
    return ".".join(str(p) for p in loc)


class _Builder:
    """Turns a composed node tree into plain Python data, recording marks as it goes."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.count = 0
        self.aliased = 0  # values built again because an alias refers to them
        self.expanding = 0  # > 0 while building a node an alias refers to
        self.built: set[int] = set()  # nodes built once: building one again follows an alias
        self.active: set[int] = set()  # nodes being built: an alias back to one is a loop
        self.source = Source(path=path, data={}, text=text)

    def fatal(self, node: yaml.Node, loc: FieldPath, message: str, hint: str) -> SheetError:
        # The top-level field the user wrote, not the deepest value (an alias has no mark).
        line, col = self.source.key_marks.get(loc[:1]) or _mark(node)
        return SheetError([Problem(self.path, line, col, _dotted(loc), message, hint)])

    def problem(self, node: yaml.Node, loc: FieldPath, message: str, hint: str) -> None:
        line, col = _mark(node)
        self.source.problems.append(Problem(self.path, line, col, _dotted(loc), message, hint))

    def build(self, node: yaml.Node, loc: FieldPath) -> Any:
        again = id(node) in self.built
        self.built.add(id(node))
        self.expanding += again
        try:
            return self._build(node, loc)
        finally:
            self.expanding -= again

    def _count(self, node: yaml.Node, loc: FieldPath) -> None:
        """Count one value; refuse a document that expands too far, naming which limit."""
        self.count += 1
        if self.expanding:
            self.aliased += 1
            if self.aliased > MAX_NODES:
                raise self.fatal(node, loc[:2], f"the document expands to more than {MAX_NODES} "
                                 "values through aliases",
                                 "write the values out instead of nesting '*alias' references")
        if self.count > MAX_VALUES:
            raise self.fatal(node, loc[:2], f"the document holds more than {MAX_VALUES} values, "
                             "the most a fact sheet may hold",
                             "split the audiences over several sheets, or check that this is "
                             "the right file")

    def _build(self, node: yaml.Node, loc: FieldPath) -> Any:
        self._count(node, loc)
        if len(loc) > MAX_DEPTH:
            raise self.fatal(node, loc[:2], f"values are nested more than {MAX_DEPTH} levels deep",
                             "a fact sheet is a few levels deep; check the brackets and indentation")
        self.source.marks.setdefault(loc, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            return self.build_scalar(node, loc)
        if id(node) in self.active:
            raise self.fatal(node, loc[:2], "an alias refers to a value that contains it, "
                             "which would repeat forever", "write the value out instead")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.build_mapping(node, loc)
            if node.tag != _SEQ:
                self.problem(node, loc, f"unsupported tag {node.tag!r}", "remove the tag")
                return None
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        finally:
            self.active.discard(id(node))

    def build_mapping(self, node: yaml.MappingNode, loc: FieldPath) -> dict[str, Any] | None:
        if node.tag != _MAP:
            self.problem(node, loc, f"unsupported tag {node.tag!r}", "remove the tag")
            return None
        result: dict[str, Any] = {}
        first_seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, loc, "a key must be a plain name", "write `name: value`")
                continue
            key = key_node.value
            if key in first_seen:
                first_line = first_seen[key].start_mark.line + 1
                self.problem(
                    key_node, (*loc, key),
                    f"duplicate key {key!r} (first given on line {first_line}); "
                    "YAML would silently keep only the last one",
                    "keep one of them and delete or rename the other",
                )
                continue
            first_seen[key] = key_node
            self.source.key_marks[(*loc, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*loc, key))
            if result[key] is None and self._comment_ate_value(key_node):
                self.problem(key_node, (*loc, key),
                             "the value starts with '#', which YAML reads as a comment, so it is empty",
                             "put the value in quotes, e.g. color: '#0b5fff'")
        return result

    def _comment_ate_value(self, key_node: yaml.Node) -> bool:
        rest = self.text[key_node.end_mark.index:].split("\n", 1)[0]
        return re.match(r":\s+#[0-9A-Fa-f]{3,8}\b", rest) is not None

    def _prose_pitfalls(self, node: yaml.ScalarNode, loc: FieldPath) -> None:
        """Catch two ways YAML silently changes an unquoted sentence."""
        end = node.end_mark.index
        rest = self.text[end:].split("\n", 1)[0]
        if re.match(r"\s+#\S", rest):
            self.problem(node, loc, "the text goes on after ' #', which YAML reads as a comment "
                         "and drops", "put the whole text in quotes, or write the # with a "
                         "space after it only for a real comment")
        if node.start_mark.line != node.end_mark.line:
            lines = self.text[node.start_mark.index:end].split("\n")[1:]
            if any(line.lstrip().startswith("- ") for line in lines):
                self.problem(node, loc, "a line starting with '- ' was joined to this text: "
                             "it is indented too far to be a new list item",
                             "indent each '- ' item like the first one")

    def build_scalar(self, node: yaml.ScalarNode, loc: FieldPath) -> Any:
        self.source.spans.setdefault(loc, (node.start_mark.index, node.end_mark.index))
        value = self._scalar(node, loc)
        unquoted = (node.tag == _STR and not node.style
                    and not self.text.startswith("!", node.start_mark.index))
        if unquoted and (not isinstance(value, str) or value.lower() in YES_NO_WORDS):
            self.source.plain.setdefault(loc, node.value)
        return value

    def _scalar(self, node: yaml.ScalarNode, loc: FieldPath) -> Any:
        value: str = node.value
        if node.tag == _STR:
            explicit = self.text.startswith("!", node.start_mark.index)
            if node.style or explicit:  # quoted, block or !!str: always text (plain: None or "")
                return value
            if " " in value:  # an unquoted sentence
                self._prose_pitfalls(node, loc)
            if _NULL.match(value):
                return None
            if value in _BOOL:
                return _BOOL[value]
            if _INT.match(value):
                return int(value)
            if _INT_OCT.match(value):
                return int(value[2:], 8)
            if _INT_HEX.match(value):
                return int(value[2:], 16)
            if _FLOAT.match(value):
                return float(value)
            return value
        if node.tag in _EXPLICIT_SCALARS:
            try:
                return yaml.SafeLoader(" ").construct_object(node)
            except yaml.YAMLError:
                pass
        self.problem(
            node, loc, f"unsupported tag {node.tag!r}",
            "remove the tag; fact sheets hold plain text, numbers, lists and mappings",
        )
        return None


def _tab_problems(path: str, text: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            problems.append(Problem(
                path, number, indent.index("\t") + 1, "",
                "a tab is used for indentation; YAML allows only spaces there",
                "replace the tab with spaces (two per level)",
            ))
    return problems


def _unreadable_character(path: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    """Place a character YAML refuses (NUL, ESC, BEL, ...) at its line and column."""
    # Find it ourselves: libyaml reports a byte offset, PyYAML a character index.
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    where = found.start() if found else exc.position
    line = text.count("\n", 0, where) + 1
    col = where - (text.rfind("\n", 0, where) + 1) + 1
    char = text[where] if where < len(text) else "\0"
    return Problem(path, line, col, "", f"the file contains the control character "
                   f"{describe_char(char)}, which a fact sheet cannot hold",
                   "delete it; editors often show it as a box or not at all")


def parse_yaml(text: str | bytes, path: str = "<string>") -> Source:
    """Parse one YAML document into a :class:`Source`.

    Args:
        text: the document, as text or as UTF-8 bytes.
        path: the name used in problem positions.

    Returns:
        The data (always a mapping at the top) with its marks and non-fatal problems.

    Raises:
        SheetError: the text is too large, not YAML, empty, not a mapping, or an alias bomb.
    """
    if len(text) > MAX_BYTES:
        raise too_large(path, len(text))
    if isinstance(text, bytes):
        text = decode(text, path)
    try:
        node = yaml.compose(text, Loader=_Loader)  # noqa: S506 - local SafeLoader subclass
    except yaml.reader.ReaderError as exc:
        raise SheetError([_unreadable_character(path, text, exc)]) from None
    except RecursionError:
        raise SheetError([Problem(path, 1, 1, "", "values are nested too deeply to read",
                                  "a fact sheet is a few levels deep; check the brackets")]) from None
    except yaml.MarkedYAMLError as exc:
        tabs = _tab_problems(path, text)
        if tabs:  # YAML never allows tabs as indentation; say that rather than the parser's words
            raise SheetError(tabs) from None
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise SheetError([Problem(
            path, line, col, "", f"this is not valid YAML ({what})",
            "check the indentation, colons and quotes on this line and the one before",
        )]) from None
    except yaml.YAMLError as exc:
        raise SheetError([Problem(path, 0, 0, "", f"this is not valid YAML ({exc})",
                                  "check the file's syntax")]) from None
    if node is None:
        raise SheetError([Problem(
            path, 1, 1, "", "the file is empty",
            "start from the annotated example in docs/fact-sheet.md",
        )])
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        line, col = _mark(node)
        raise SheetError([Problem(
            path, line, col, "", f"the top level is {kind}, not a mapping of fields",
            "start the file with `id:`, `organisation:`, `incident:` and `audiences:` keys",
        )])
    builder = _Builder(path, text)
    builder.source.data = builder.build_mapping(node, ()) or {}
    builder.source.marks[()] = _mark(node)
    return builder.source


def read_yaml(path: Path) -> Source:
    """Read and parse a YAML file, reading at most MAX_BYTES + 1 bytes whatever it is.

    A FIFO, a device (``/dev/zero``, ``/dev/urandom``) or a socket is refused before any
    read, so that nothing hangs or fills memory; the size limit counts the bytes read, not
    what ``stat()`` says.
    """
    name = str(path)
    try:
        data = read_limited(path, name)
    except FileNotFoundError:
        raise SheetError([Problem(name, 0, 0, "", "no such file",
                                  "check the path; fact sheets usually live in incidents/")]) from None
    except IsADirectoryError:
        raise SheetError([Problem(name, 0, 0, "", "this is a folder, not a fact sheet",
                                  "name a .yaml file inside it")]) from None
    except OSError as exc:
        raise SheetError([Problem(name, 0, 0, "", f"cannot read the file ({exc.strerror or exc})",
                                  "check that it exists and that you may read it")]) from None
    return parse_yaml(data, name)
