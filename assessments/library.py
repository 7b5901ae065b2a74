"""Framework libraries: reading a YAML file into a `Library`, checked whole before anything is
written (assessments.services.install_library writes it).

Four layouts are read. Three are the layouts of the libraries shipped in
`assessments/libraries/` (copied unchanged from the sources listed in their `meta` blocks):
- the Housing Inspectorate KLOEs (`kloes:` with `judgement_scales:`);
- the RSH Consumer Standards (`standards:` > outcome areas > required outcomes and specific
  expectations, with one `judgement_scale:`);
- the Housing Ombudsman's Complaint Handling Code (`sections:` > provisions, comply yes/no);
and the project's own layout for local frameworks (`framework:`, `scales:`, `nodes:`), in which
each node names its parent, its weight, a descriptor per level and the other parents it also sits
under (cross-cutting questions).

Safety: the file is refused before parsing when larger than MAX_BYTES; YAML is read with PyYAML's
safe loader (no object construction: a `!!python/...` tag is refused), without anchors or aliases
(no expansion bombs, no self-referencing data) and without repeated keys. Every problem is
reported with its line or code (`LibraryError.problems`); nothing is loaded from a file with any.
"""

import datetime
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

import yaml
from django.utils.text import slugify

MAX_BYTES = 1024 * 1024
MAX_NODES = 5000
MAX_DEPTH = 8
MAX_TEXT = 20_000
MAX_WEIGHT = 1000
MAX_REPORTED = 50
GRADED = "graded"
COMPLIANCE = "compliance"
PLACEHOLDER_CODE = re.compile(r"\.[xy]$")


class LibraryError(ValueError):
    """The library cannot be loaded; PROBLEMS lists every reason found, each with its line or code."""

    def __init__(self, problems: list[str]):
        self.problems = problems[:MAX_REPORTED]
        more = len(problems) - len(self.problems)
        super().__init__("; ".join(self.problems) + (f"; and {more} more" if more > 0 else ""))


@dataclass
class Level:
    value: int
    label: str
    descriptor: str = ""


@dataclass
class Scale:
    key: str
    name: str
    levels: list[Level]
    question: str = ""
    kind: str = GRADED
    line: int = 0

    @property
    def values(self) -> list[int]:
        return [level.value for level in self.levels]


@dataclass
class Node:
    code: str
    title: str
    parent: str | None
    line: int
    kind_label: str = ""
    description: str = ""
    guidance: str = ""
    notes: str = ""
    weight: int = 1
    scale: str = ""
    verified: bool | None = None
    also_under: list[str] = field(default_factory=list)
    descriptors: dict[int, str] = field(default_factory=dict)


@dataclass
class Library:
    """A framework as the loader reads it, whatever the file's layout. Nodes are in file order,
    each naming its parent by code (None: a theme at the top)."""

    key: str
    name: str
    publisher: str = ""
    edition: str = ""
    effective_date: datetime.date | None = None
    licence: str = ""
    sources: list[dict] = field(default_factory=list)
    about: list[list[str]] = field(default_factory=list)
    scales: list[Scale] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)

    def digest(self) -> str:
        """A fingerprint of everything the library says (not of its layout or line numbers): the
        same content gives the same digest, so loading it again changes nothing."""
        content = asdict(self)
        for node in content["nodes"]:
            node.pop("line")
        for scale in content["scales"]:
            scale.pop("line")
        text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def scale_by_key(self) -> dict[str, Scale]:
        return {scale.key: scale for scale in self.scales}


# Reading YAML safely -------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")


class YamlMapping(dict):
    """A YAML mapping that remembers its line and the line of each key."""

    def __init__(self, *args, line: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        self.key_lines: dict = {}


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors, aliases and repeated keys."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(event.start_mark.line + 1, "anchors and aliases (& and *) are not allowed in a library")
        return super().compose_node(parent, index)


def _construct_mapping(loader, node):
    data = YamlMapping(line=node.start_mark.line + 1)
    yield data
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int):
            raise _Refused(key_node.start_mark.line + 1, "keys must be plain words or numbers")
        if key in data.key_lines:
            raise _Refused(
                key_node.start_mark.line + 1, f"the key {key!r} appears twice (first on line {data.key_lines[key]})"
            )
        data.key_lines[key] = key_node.start_mark.line + 1
    data.update(loader.construct_mapping(node, deep=True))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def check_size(size: int) -> None:
    """Refuse a file of SIZE bytes larger than MAX_BYTES, before anything reads it."""
    if size > MAX_BYTES:
        shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"
        raise LibraryError([f"the file is {shown}; a library may be at most {MAX_BYTES // 1024} KB"])


def read_yaml(data: bytes):
    """The single YAML document in DATA, safely; LibraryError naming the line otherwise."""
    check_size(len(data))
    if not data.strip():
        raise LibraryError(["the file is empty"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LibraryError([f"the file is not UTF-8 text (byte {exc.start + 1})"]) from None
    try:
        documents = list(yaml.load_all(text, Loader=_Loader))  # noqa: S506 - _Loader is a SafeLoader
    except _Refused as exc:
        raise LibraryError([str(exc)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise LibraryError([f"{where}{exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise LibraryError([f"the file is not valid YAML ({exc})"]) from None
    if len(documents) != 1:
        raise LibraryError([f"a library is one YAML document; this file has {len(documents)}"])
    if not isinstance(documents[0], YamlMapping):
        raise LibraryError(["line 1: a library starts with named sections (a mapping), not a list or a value"])
    return documents[0]


# Checking shapes ----------------------------------------------------------------------------


class _Reader:
    """Typed access to the parsed YAML that collects problems instead of stopping at the first."""

    def __init__(self):
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"line {line}: {message}")

    def keys(self, mapping, where: str, *, required=(), optional=()) -> bool:
        if not isinstance(mapping, YamlMapping):
            self.problem(getattr(mapping, "line", 0), f"{where} must be a set of named fields")
            return False
        allowed = set(required) | set(optional)
        ok = True
        for key in mapping:
            if key not in allowed:
                self.problem(
                    mapping.key_lines[key],
                    f"unknown key {key!r} in {where}; expected {', '.join(sorted(map(str, allowed)))}",
                )
                ok = False
        for key in required:
            if key not in mapping:
                self.problem(mapping.line, f"{where} has no {key!r}")
                ok = False
        return ok

    def section(self, mapping, where: str, *, required=(), optional=()) -> "YamlMapping":
        """MAPPING checked for its keys; an empty mapping when it is not one (the problem is noted)."""
        self.keys(mapping, where, required=required, optional=optional)
        return mapping if isinstance(mapping, YamlMapping) else YamlMapping()

    def _line(self, mapping, key) -> int:
        return mapping.key_lines.get(key, mapping.line)

    def text(self, mapping, key, where: str, *, required=False, max_length=MAX_TEXT) -> str:
        value = mapping.get(key)
        if value is None:
            if required:
                self.problem(mapping.line, f"{where} has no {key!r}")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | datetime.date):
            self.problem(self._line(mapping, key), f"{key!r} in {where} must be text")
            return ""
        text = str(value).strip()
        if len(text) > max_length:
            self.problem(self._line(mapping, key), f"{key!r} in {where} is longer than {max_length:,} characters")
            return ""
        if required and not text:
            self.problem(self._line(mapping, key), f"{key!r} in {where} is empty")
        return text

    def integer(self, mapping, key, where: str, *, required=False, default=None):
        value = mapping.get(key, default)
        if value is None:
            if required:
                self.problem(mapping.line, f"{where} has no {key!r}")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(self._line(mapping, key), f"{key!r} in {where} must be a whole number")
            return None
        return value

    def flag(self, mapping, key, where: str) -> bool | None:
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.problem(self._line(mapping, key), f"{key!r} in {where} must be true or false")
            return None
        return value

    def items(self, mapping, key, where: str, *, required=False) -> list:
        value = mapping.get(key)
        if value is None:
            if required:
                self.problem(mapping.line, f"{where} has no {key!r}")
            return []
        if not isinstance(value, list):
            self.problem(self._line(mapping, key), f"{key!r} in {where} must be a list")
            return []
        return value

    def date(self, mapping, key, where: str) -> datetime.date | None:
        value = mapping.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            self.problem(self._line(mapping, key), f"{key!r} in {where} must be a date like 2024-04-01")
            return None

    def sources(self, mapping, where: str) -> list[dict]:
        found = []
        for entry in self.items(mapping, "sources", where):
            if self.keys(entry, f"a source of {where}", required=("url",), optional=("note",)):
                found.append({"url": self.text(entry, "url", "a source"), "note": self.text(entry, "note", "a source")})
        return found


def _notes(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _text_list(reader: _Reader, mapping, key: str, where: str) -> str:
    lines = []
    for index, entry in enumerate(reader.items(mapping, key, where), start=1):
        if isinstance(entry, str):
            lines.append(f"- {entry.strip()}")
        else:
            reader.problem(reader._line(mapping, key), f"entry {index} of {key!r} in {where} must be text")
    return "\n".join(lines)


# The four layouts ----------------------------------------------------------------------------


def _levels(reader: _Reader, block, where: str, *, value_key: str) -> list[Level]:
    """The levels of a scale BLOCK: each with its number (under VALUE_KEY), label and descriptor."""
    levels = []
    for entry in reader.items(block, "levels", where, required=True):
        if reader.keys(entry, f"a level of {where}", required=(value_key, "label"), optional=("descriptor",)):
            value = reader.integer(entry, value_key, f"a level of {where}", required=True)
            if value is not None:
                levels.append(
                    Level(
                        value,
                        reader.text(entry, "label", where, required=True, max_length=100),
                        reader.text(entry, "descriptor", where),
                    )
                )
    return levels


def _kloes(reader: _Reader, doc) -> Library:
    reader.keys(doc, "the library", required=("meta", "judgement_scales", "kloes"))
    meta = doc.get("meta")
    meta = reader.section(
        meta,
        "meta",
        required=("framework",),
        optional=("jurisdiction", "publisher", "period", "how_used", "sources", "licence"),
    )
    name = reader.text(meta, "framework", "meta", required=True, max_length=200)
    library = Library(
        key=slugify(name)[:80],
        name=name,
        publisher=reader.text(meta, "publisher", "meta", max_length=200),
        edition=reader.text(meta, "period", "meta", max_length=100),
        licence=reader.text(meta, "licence", "meta"),
        sources=reader.sources(meta, "meta"),
        about=[
            [label, text]
            for label, text in (
                ("Jurisdiction", reader.text(meta, "jurisdiction", "meta")),
                ("How it was used", reader.text(meta, "how_used", "meta")),
            )
            if text
        ],
    )
    scales_block = doc.get("judgement_scales")
    if not isinstance(scales_block, YamlMapping):
        reader.problem(getattr(scales_block, "line", doc.line), "judgement_scales must be a set of named scales")
        scales_block = YamlMapping()
    for key, block in scales_block.items():
        if key == "descriptor_note":
            if isinstance(block, str):
                library.about.append(["Level descriptors", block.strip()])
            else:
                reader.problem(scales_block.key_lines[key], "descriptor_note must be text")
            continue
        where = f"judgement scale {key!r}"
        if not reader.keys(block, where, required=("levels",), optional=("question",)):
            continue
        levels = []
        for entry in reader.items(block, "levels", where, required=True):
            level_keys = [k for k in ("stars", "rank", "value") if isinstance(entry, YamlMapping) and k in entry]
            if reader.keys(
                entry, f"a level of {where}", required=("label",), optional=("stars", "rank", "value", "descriptor")
            ):
                if len(level_keys) != 1:
                    reader.problem(entry.line, f"a level of {where} needs one of stars, rank or value")
                    continue
                value = reader.integer(entry, level_keys[0], f"a level of {where}", required=True)
                if value is not None:
                    levels.append(
                        Level(
                            value,
                            reader.text(entry, "label", where, required=True, max_length=100),
                            reader.text(entry, "descriptor", where),
                        )
                    )
        question = reader.text(block, "question", where, max_length=300)
        library.scales.append(Scale(str(key), question or str(key), levels, question=question, line=block.line))
    scale_keys = {scale.key for scale in library.scales}
    default_scale = library.scales[0].key if library.scales else ""
    groups: dict[str, str] = {}
    kloes = []
    for entry in reader.items(doc, "kloes", "the library", required=True):
        if not reader.keys(
            entry,
            "a KLOE",
            required=("id", "title", "group"),
            optional=("description", "title_source", "number_from_brief", "verified", "evidence"),
        ):
            continue
        group = reader.text(entry, "group", "a KLOE", required=True, max_length=100)
        if group and group not in groups:
            groups[group] = slugify(group)
        kloes.append((entry, group))
    for group, code in groups.items():
        members = [entry for entry, in_group in kloes if in_group == group]
        own_scales = {str(entry.get("id")) for entry in members} & scale_keys
        scale = own_scales.pop() if len(own_scales) == 1 and len(members) == 1 else default_scale
        library.nodes.append(Node(code, group[:1].upper() + group[1:], None, 0, kind_label="Group", scale=scale))
    landlord = [code for group, code in groups.items() if group in LANDLORD_SERVICE_GROUPS]
    for entry, group in kloes:
        code = reader.text(entry, "id", "a KLOE", required=True, max_length=60)
        where = f"KLOE {code}"
        number = reader.integer(entry, "number_from_brief", where)
        library.nodes.append(
            Node(
                code,
                reader.text(entry, "title", where, required=True, max_length=300),
                groups.get(group),
                entry.line,
                kind_label="KLOE",
                description=reader.text(entry, "description", where),
                verified=reader.flag(entry, "verified", where),
                # A KLOE named like a judgement scale (prospects for improvement) is judged on it.
                scale=code if code in scale_keys else default_scale,
                also_under=landlord if group == CROSS_CUTTING_GROUP else [],
                notes=_notes(
                    f"KLOE number {number} comes from the brief and is not verified." if number is not None else "",
                    f"Title source: {reader.text(entry, 'title_source', where)}" if entry.get("title_source") else "",
                    f"Evidence: {reader.text(entry, 'evidence', where)}" if entry.get("evidence") else "",
                ),
            )
        )
    return library


# The KLOE library marks its cross-cutting KLOEs as "applied across landlord services": they also
# sit under each landlord-service group, so each group's score includes them.
CROSS_CUTTING_GROUP = "cross-cutting"
LANDLORD_SERVICE_GROUPS = ("housing management", "property services")


def _consumer_standards(reader: _Reader, doc) -> Library:
    reader.keys(doc, "the library", required=("meta", "judgement_scale", "standards"), optional=("reference_scales",))
    meta = doc.get("meta")
    meta = reader.section(
        meta,
        "meta",
        required=("framework",),
        optional=(
            "jurisdiction",
            "publisher",
            "effective_from",
            "numbering_scheme",
            "applies_to_note",
            "sources",
            "licence",
            "pending_changes",
        ),
    )
    name = reader.text(meta, "framework", "meta", required=True, max_length=200)
    library = Library(
        key=slugify(name)[:80],
        name=name,
        publisher=reader.text(meta, "publisher", "meta", max_length=200),
        effective_date=reader.date(meta, "effective_from", "meta"),
        licence=reader.text(meta, "licence", "meta"),
        sources=reader.sources(meta, "meta"),
    )
    library.edition = library.effective_date.isoformat() if library.effective_date else ""
    for label, key in (
        ("Jurisdiction", "jurisdiction"),
        ("Numbering", "numbering_scheme"),
        ("Who it applies to", "applies_to_note"),
        ("Changes pending", "pending_changes"),
    ):
        if text := reader.text(meta, key, "meta"):
            library.about.append([label, text])
    block = doc.get("judgement_scale")
    where = "judgement_scale"
    if reader.keys(block, where, required=("name", "levels"), optional=("applies_to", "suggested_fields_per_item")):
        library.scales.append(
            Scale(
                "judgement",
                reader.text(block, "name", where, required=True, max_length=200),
                _levels(reader, block, where, value_key="level"),
                question=reader.text(block, "applies_to", where, max_length=300),
                line=block.line,
            )
        )
        if fields := ", ".join(str(f) for f in reader.items(block, "suggested_fields_per_item", where)):
            library.about.append(["Suggested fields per item", fields])
    for entry in reader.items(doc, "reference_scales", "the library"):
        if not reader.keys(entry, "a reference scale", required=("name", "grades"), optional=("note", "verified")):
            continue
        grades = []
        for grade in reader.items(entry, "grades", "a reference scale"):
            if reader.keys(grade, "a grade", required=("grade", "meaning")):
                grades.append(f"{reader.text(grade, 'grade', 'a grade')}: {reader.text(grade, 'meaning', 'a grade')}")
        unverified = reader.flag(entry, "verified", "a reference scale") is False
        library.about.append(
            [
                reader.text(entry, "name", "a reference scale", max_length=200)
                + (" (unverified)" if unverified else ""),
                _notes(reader.text(entry, "note", "a reference scale"), *grades),
            ]
        )
    seen_placeholders: dict[str, int] = {}

    def item_code(code: str) -> str:
        if not PLACEHOLDER_CODE.search(code):
            return code
        # The source has no number for these yet ("2.1.x"); repeats are told apart by their order.
        seen_placeholders[code] = seen_placeholders.get(code, 0) + 1
        count = seen_placeholders[code]
        return code if count == 1 else f"{code} ({count})"

    for standard in reader.items(doc, "standards", "the library", required=True):
        if not reader.keys(
            standard, "a standard", required=("code", "title", "outcome_areas"), optional=("summary", "note")
        ):
            continue
        code = reader.text(standard, "code", "a standard", required=True, max_length=60)
        library.nodes.append(
            Node(
                code,
                reader.text(standard, "title", f"standard {code}", required=True, max_length=300),
                None,
                standard.line,
                kind_label="Standard",
                description=reader.text(standard, "summary", f"standard {code}"),
                notes=reader.text(standard, "note", f"standard {code}"),
                scale="judgement",
            )
        )
        for area in reader.items(standard, "outcome_areas", f"standard {code}", required=True):
            if not reader.keys(
                area,
                "an outcome area",
                required=("code", "title"),
                optional=("required_outcomes", "specific_expectations", "note"),
            ):
                continue
            area_code = reader.text(area, "code", "an outcome area", required=True, max_length=60)
            library.nodes.append(
                Node(
                    area_code,
                    reader.text(area, "title", f"outcome area {area_code}", required=True, max_length=300),
                    code,
                    area.line,
                    kind_label="Outcome area",
                    notes=reader.text(area, "note", f"outcome area {area_code}"),
                    scale="judgement",
                )
            )
            for key, kind_label in (
                ("required_outcomes", "Required outcome"),
                ("specific_expectations", "Specific expectation"),
            ):
                for item in reader.items(area, key, f"outcome area {area_code}"):
                    if not reader.keys(
                        item,
                        f"a {kind_label.lower()}",
                        required=("code", "title"),
                        optional=("description", "verified", "note", "links_to"),
                    ):
                        continue
                    raw = reader.text(item, "code", f"a {kind_label.lower()}", required=True, max_length=60)
                    where = f"{kind_label.lower()} {raw}"
                    links_to = reader.text(item, "links_to", where, max_length=200)
                    library.nodes.append(
                        Node(
                            item_code(raw),
                            reader.text(item, "title", where, required=True, max_length=300),
                            area_code,
                            item.line,
                            kind_label=kind_label,
                            description=reader.text(item, "description", where),
                            verified=reader.flag(item, "verified", where),
                            notes=_notes(
                                "The source gives no number for this item yet." if PLACEHOLDER_CODE.search(raw) else "",
                                reader.text(item, "note", where),
                                f"See also: {links_to}" if links_to else "",
                            ),
                            scale="judgement",
                        )
                    )
    return library


def _complaint_code(reader: _Reader, doc) -> Library:
    reader.keys(doc, "the library", required=("meta", "assessment_scale", "sections"))
    meta = doc.get("meta")
    meta = reader.section(
        meta,
        "meta",
        required=("framework",),
        optional=(
            "edition",
            "statutory_from",
            "publisher",
            "sections",
            "timescales_summary",
            "self_assessment_rules",
            "sources",
            "licence",
            "pending_changes",
        ),
    )
    name = reader.text(meta, "framework", "meta", required=True, max_length=200)
    library = Library(
        key=slugify(name)[:80],
        name=name,
        publisher=reader.text(meta, "publisher", "meta", max_length=200),
        edition=reader.text(meta, "edition", "meta", max_length=100),
        effective_date=reader.date(meta, "statutory_from", "meta"),
        licence=reader.text(meta, "licence", "meta"),
        sources=reader.sources(meta, "meta"),
    )
    if rules := _text_list(reader, meta, "self_assessment_rules", "meta"):
        library.about.append(["Self-assessment rules", rules])
    timescales = meta.get("timescales_summary")
    if timescales is not None:
        library.about.append(["Timescales", _timescales(reader, timescales)])
    if text := reader.text(meta, "pending_changes", "meta"):
        library.about.append(["Changes pending", text])
    block = doc.get("assessment_scale")
    where = "assessment_scale"
    if reader.keys(block, where, required=("type", "fields"), optional=("note",)):
        if reader.text(block, "type", where) != COMPLIANCE:
            reader.problem(block.key_lines.get("type", block.line), "assessment_scale type must be 'compliance'")
        comply = None
        for entry in reader.items(block, "fields", where, required=True):
            if reader.keys(
                entry,
                "a field of assessment_scale",
                required=("name", "type"),
                optional=("values", "hint", "required_when"),
            ):
                if entry.get("name") == "comply":
                    comply = entry
        values = [str(v).lower() for v in comply.get("values", [])] if comply is not None else []
        if sorted(values) != ["no", "yes"]:
            reader.problem(block.line, "assessment_scale needs a 'comply' field with the values yes and no")
        library.scales.append(
            Scale(
                "comply",
                "Complies with the Code",
                [
                    Level(0, "No", "The landlord does not yet meet this provision."),
                    Level(1, "Yes", "The landlord meets this provision."),
                ],
                question="Does the landlord comply?",
                kind=COMPLIANCE,
                line=block.line,
            )
        )
        if note := reader.text(block, "note", where):
            library.about.append(["Scoring", note])
    sections = reader.items(doc, "sections", "the library", required=True)
    declared = reader.integer(meta, "sections", "meta")
    if declared is not None and declared != len(sections):
        reader.problem(
            meta.key_lines.get("sections", meta.line), f"meta says {declared} sections; the file has {len(sections)}"
        )

    def provisions(block, parent: str, where: str) -> None:
        for item in reader.items(block, "provisions", where, required=True):
            if not reader.keys(item, f"a provision of {where}", required=("code", "title"), optional=("verified",)):
                continue
            code = reader.text(item, "code", f"a provision of {where}", required=True, max_length=60)
            library.nodes.append(
                Node(
                    code,
                    reader.text(item, "title", f"provision {code}", required=True, max_length=300),
                    parent,
                    item.line,
                    kind_label="Provision",
                    verified=reader.flag(item, "verified", f"provision {code}"),
                    scale="comply",
                )
            )

    for section in sections:
        if not reader.keys(section, "a section", required=("section", "title"), optional=("provisions", "subsections")):
            continue
        number = reader.integer(section, "section", "a section", required=True)
        code = str(number)
        where = f"section {code}"
        library.nodes.append(
            Node(
                code,
                reader.text(section, "title", where, required=True, max_length=300),
                None,
                section.line,
                kind_label="Section",
                scale="comply",
            )
        )
        if ("provisions" in section) == ("subsections" in section):
            reader.problem(section.line, f"{where} needs either provisions or subsections")
        if "provisions" in section:
            provisions(section, code, where)
        for sub in reader.items(section, "subsections", where):
            if not reader.keys(sub, f"a subsection of {where}", required=("title", "provisions")):
                continue
            title = reader.text(sub, "title", f"a subsection of {where}", required=True, max_length=200)
            sub_code = f"{code} {title}"
            library.nodes.append(Node(sub_code, title, code, sub.line, kind_label="Stage", scale="comply"))
            provisions(sub, sub_code, f"{where} {title}")
    return library


def _timescales(reader: _Reader, block) -> str:
    if not isinstance(block, YamlMapping):
        reader.problem(getattr(block, "line", 0), "timescales_summary must be a set of named fields")
        return ""
    lines = []
    for key, value in block.items():
        if isinstance(value, YamlMapping):
            parts = ", ".join(f"{name.replace('_', ' ')}: {number}" for name, number in value.items())
            lines.append(f"{str(key).replace('_', ' ').capitalize()}: {parts}")
        else:
            lines.append(f"{str(key).replace('_', ' ').capitalize()}: {value}")
    return "\n".join(lines)


def _local(reader: _Reader, doc) -> Library:
    reader.keys(doc, "the library", required=("framework", "scales", "nodes"))
    meta = doc.get("framework")
    meta = reader.section(
        meta,
        "framework",
        required=("key", "name"),
        optional=("publisher", "edition", "effective_date", "licence", "sources", "about"),
    )
    library = Library(
        key=slugify(reader.text(meta, "key", "framework", required=True, max_length=80)),
        name=reader.text(meta, "name", "framework", required=True, max_length=200),
        publisher=reader.text(meta, "publisher", "framework", max_length=200),
        edition=reader.text(meta, "edition", "framework", max_length=100),
        effective_date=reader.date(meta, "effective_date", "framework"),
        licence=reader.text(meta, "licence", "framework"),
        sources=reader.sources(meta, "framework"),
    )
    for entry in reader.items(meta, "about", "framework"):
        if reader.keys(entry, "an entry of about", required=("label", "text")):
            library.about.append(
                [reader.text(entry, "label", "about", max_length=200), reader.text(entry, "text", "about")]
            )
    for block in reader.items(doc, "scales", "the library", required=True):
        if not reader.keys(block, "a scale", required=("key", "name", "levels"), optional=("question", "kind")):
            continue
        key = reader.text(block, "key", "a scale", required=True, max_length=40)
        where = f"scale {key}"
        kind = reader.text(block, "kind", where) or GRADED
        if kind not in (GRADED, COMPLIANCE):
            reader.problem(block.key_lines["kind"], f"the kind of {where} must be {GRADED} or {COMPLIANCE}")
        library.scales.append(
            Scale(
                key,
                reader.text(block, "name", where, required=True, max_length=200),
                _levels(reader, block, where, value_key="value"),
                question=reader.text(block, "question", where, max_length=300),
                kind=kind,
                line=block.line,
            )
        )
    default_scale = library.scales[0].key if library.scales else ""
    for entry in reader.items(doc, "nodes", "the library", required=True):
        if not reader.keys(
            entry,
            "a node",
            required=("code", "title"),
            optional=(
                "parent",
                "kind",
                "description",
                "guidance",
                "notes",
                "weight",
                "scale",
                "verified",
                "also_under",
                "descriptors",
            ),
        ):
            continue
        code = reader.text(entry, "code", "a node", required=True, max_length=60)
        where = f"node {code}"
        also_under = []
        for other in reader.items(entry, "also_under", where):
            if isinstance(other, str | int) and not isinstance(other, bool):
                also_under.append(str(other))
            else:
                reader.problem(entry.key_lines["also_under"], f"also_under of {where} must list node codes")
        descriptors = {}
        block = entry.get("descriptors")
        if block is not None:
            if not isinstance(block, YamlMapping):
                reader.problem(entry.key_lines["descriptors"], f"descriptors of {where} must map levels to text")
            else:
                for level, text in block.items():
                    if isinstance(level, bool) or not isinstance(level, int):
                        reader.problem(
                            block.key_lines[level], f"descriptor {level!r} of {where}: levels are whole numbers"
                        )
                    elif not isinstance(text, str):
                        reader.problem(block.key_lines[level], f"descriptor {level} of {where} must be text")
                    else:
                        descriptors[level] = text.strip()
        weight = reader.integer(entry, "weight", where, default=1)
        library.nodes.append(
            Node(
                code,
                reader.text(entry, "title", where, required=True, max_length=300),
                reader.text(entry, "parent", where, max_length=60) or None,
                entry.line,
                kind_label=reader.text(entry, "kind", where, max_length=60),
                description=reader.text(entry, "description", where),
                guidance=reader.text(entry, "guidance", where),
                notes=reader.text(entry, "notes", where),
                weight=1 if weight is None else weight,
                scale=reader.text(entry, "scale", where, max_length=40) or default_scale,
                verified=reader.flag(entry, "verified", where),
                also_under=also_under,
                descriptors=descriptors,
            )
        )
    return library


LAYOUTS = (("kloes", _kloes), ("standards", _consumer_standards), ("sections", _complaint_code), ("nodes", _local))


# Checking the whole --------------------------------------------------------------------------


def check(library: Library) -> list[str]:
    """What makes LIBRARY unusable, whatever layout it came from: scales without two distinct
    levels, repeated codes, parents or scales that do not exist, loops, levels outside a scale,
    weights out of range, too many nodes or too deep a tree."""
    problems = []
    scales = library.scale_by_key
    if not library.scales:
        problems.append("the library defines no judgement scale")
    for scale in library.scales:
        values = scale.values
        if len(values) < 2:
            problems.append(f"line {scale.line}: scale {scale.key!r} needs at least two levels")
        if len(set(values)) != len(values):
            problems.append(f"line {scale.line}: scale {scale.key!r} repeats a level")
        if any(not 0 <= value <= 100 for value in values):
            problems.append(f"line {scale.line}: the levels of scale {scale.key!r} must be between 0 and 100")
    if len(library.nodes) > MAX_NODES:
        return [*problems, f"the library has {len(library.nodes):,} nodes; at most {MAX_NODES:,} are accepted"]
    if not library.nodes:
        problems.append("the library has no themes or questions")
    first_line: dict[str, int] = {}
    for node in library.nodes:
        if not node.code:
            continue
        if node.code in first_line:
            problems.append(
                f"line {node.line}: code {node.code!r} is used twice (first on line {first_line[node.code]})"
            )
        else:
            first_line[node.code] = node.line
    for node in library.nodes:
        where = f"line {node.line}: {node.code}"
        if node.parent is not None and node.parent not in first_line:
            problems.append(f"{where}: its parent {node.parent!r} is not in the library")
        for other in node.also_under:
            if other not in first_line:
                problems.append(f"{where}: it is also under {other!r}, which is not in the library")
            elif other == node.parent or node.also_under.count(other) > 1:
                problems.append(f"{where}: it is listed under {other!r} twice")
        scale = scales.get(node.scale)
        if scale is None:
            problems.append(f"{where}: scale {node.scale!r} is not defined")
        else:
            for level in node.descriptors:
                if level not in scale.values:
                    shown = ", ".join(map(str, scale.values))
                    problems.append(f"{where}: level {level} is not on the scale {scale.key!r} ({shown})")
        if not 1 <= node.weight <= MAX_WEIGHT:
            problems.append(f"{where}: the weight must be between 1 and {MAX_WEIGHT}")
    if problems:
        return problems
    return _structure_problems(library)


def _structure_problems(library: Library) -> list[str]:
    """Loops through parents or cross-cutting links, and trees deeper than MAX_DEPTH (counting
    cross-cutting links as levels too)."""
    below: dict[str, list[str]] = {node.code: [] for node in library.nodes}
    waiting = dict.fromkeys(below, 0)
    for node in library.nodes:
        for parent in ([node.parent] if node.parent else []) + node.also_under:
            below[parent].append(node.code)
            waiting[node.code] += 1
    depth = {code: 1 for code, count in waiting.items() if count == 0}
    ready = list(depth)
    while ready:
        code = ready.pop()
        for child in below[code]:
            depth[child] = max(depth.get(child, 0), depth[code] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    lines = {node.code: node.line for node in library.nodes}
    stuck = [node.code for node in library.nodes if waiting[node.code] > 0]
    if stuck:
        # Every node left waiting has a parent left waiting: walk up until a code repeats.
        above = {node.code: ([node.parent] if node.parent else []) + node.also_under for node in library.nodes}
        path = [stuck[0]]
        while True:
            step = next(parent for parent in above[path[-1]] if waiting[parent] > 0)
            if step in path:
                loop = list(reversed([*path[path.index(step) :], step]))
                return [
                    f"line {lines[loop[0]]}: {loop[0]}: the parents and cross-cutting links loop ({' > '.join(loop)})"
                ]
            path.append(step)
    deepest = max(depth, key=depth.get)
    if depth[deepest] > MAX_DEPTH:
        return [f"line {lines[deepest]}: {deepest} is {depth[deepest]} levels deep; at most {MAX_DEPTH} are accepted"]
    return []


def parse_library(data: bytes) -> Library:
    """The library in DATA (the bytes of a YAML file), checked whole; LibraryError otherwise."""
    doc = read_yaml(data)
    for key, reader_function in LAYOUTS:
        if key in doc:
            reader = _Reader()
            library = reader_function(reader, doc)
            problems = reader.problems or check(library)
            if problems:
                raise LibraryError(problems)
            return library
    raise LibraryError(
        [
            f"line {doc.line}: not a framework library: expected a 'nodes', 'kloes', 'standards' or "
            f"'sections' list, found {', '.join(map(str, doc)) or 'nothing'}"
        ]
    )
