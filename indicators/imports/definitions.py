"""Import of PI definitions keyed by code from CSV and Excel.

Each row is set on its PI and judged by the model's own full_clean(), after the friendly forms
people write (aliases such as "%" or "data only", numbers such as "1,234", yes/no) are read; then
formulas and proxies are checked against the stored PIs and the file's own. Errors are reported as
(row number, column, reason); the rows are written only when asked to and only when no row has an
error, in one transaction, with bulk writes.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators import entry as entry_rules
from indicators import services
from indicators.formula import CODE_PATTERN
from indicators.imports.report import ImportReport
from indicators.models import ImportRun, Indicator, Tag
from pmf.models import OrgUnit, User
from pmf.spreadsheets import cell_text as _text
from pmf.spreadsheets import check_header, read_table

DEFINITION_COLUMNS = [
    "code",
    "title",
    "org_unit",
    "unit",
    "polarity",
    "frequency",
    "decimals",
    "ytd_rule",
    "tolerance_kind",
    "tolerance",
    "min_value",
    "max_value",
    "owner",
    "updater",
    "source",
    "tags",
    "formula",
    "proxy_for",
    "active",
    "description",
    "definition",
    "guidance",
]
DEFINITION_REQUIRED = {"code", "title", "org_unit", "unit", "polarity", "frequency"}

# What people write for a choice besides its stored value (compared in lower case).
_ALIASES = {
    "unit": {"%": "percent", "£": "gbp", "count per 1,000 homes": "per1000", "count per 1,000": "per1000"},
    "polarity": {"data only": "data"},
}
_CHOICE_COLUMNS = ("unit", "polarity", "frequency", "ytd_rule", "tolerance_kind", "source")
_NUMBER_COLUMNS = ("tolerance", "min_value", "max_value")
_TEXT_COLUMNS = ("title", "description", "definition", "guidance", "formula")
_TRUE = {"", "1", "yes", "y", "true"}
_FALSE = {"0", "no", "n", "false"}


def _set_definition(indicator: Indicator, data: dict[str, str], *, units: dict, people: dict) -> dict[str, str]:
    """Set the columns of one definitions row (DATA) on INDICATOR and judge it by the model's own
    full_clean(); returns {column: message}, empty when the row is good.

    Choices accept their aliases ("%", "£", "data only") in any case, numbers what people type
    ("1,234", "5%"), active yes/no; blank optional cells keep what is recorded. The org unit and
    people are looked up among those the user may pick."""
    errors = {}
    given = {"code"}

    def take(name: str, value) -> None:
        setattr(indicator, name, value)
        given.add(name)

    for name in _TEXT_COLUMNS:
        if name in data:
            take(name, data[name])
    if data.get("decimals"):
        take("decimals", data["decimals"])
    if data["org_unit"] in units:
        take("org_unit", units[data["org_unit"]])
    else:
        errors["org_unit"] = f"{data['org_unit']!r} is not an organisation unit you manage."
    for name in _CHOICE_COLUMNS:
        if name in data and (data[name] or name in DEFINITION_REQUIRED):
            take(name, _ALIASES.get(name, {}).get(data[name].lower(), data[name].lower()))
    for name in _NUMBER_COLUMNS:
        if data.get(name):
            try:
                take(name, entry_rules.parse_number(data[name], field=name))
            except ValidationError as exc:
                errors[name] = " ".join(exc.message_dict[name])
    for name in ("owner", "updater"):
        if data.get(name):
            if data[name] in people:
                take(name, people[data[name]])
            else:
                errors[name] = f"{data[name]!r} is not a username of someone you can see."
    if data.get("active"):
        answer = data["active"].lower()
        if answer in _TRUE or answer in _FALSE:
            take("active", answer in _TRUE)
        else:
            take("active", data["active"])
    # Only what this row sets is judged (a stored field is not this file's fault). The org unit
    # and people come from the rows of those the user may pick, so full_clean's query for each
    # is not needed; codes are unique by the lookup of every stored code and the file's own.
    exclude = {field.name for field in Indicator._meta.fields} - given
    exclude |= {"org_unit", "owner", "updater"}
    try:
        indicator.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        for name, problems in exc.error_dict.items():
            column = name if name in DEFINITION_COLUMNS else "code"
            messages = [
                _choice_message(name, data) if problem.code == "invalid_choice" else " ".join(problem.messages)
                for problem in problems
            ]
            errors.setdefault(column, " ".join(messages))
    return errors


def _choice_message(name: str, data: dict[str, str]) -> str:
    choices = sorted(str(value) for value, _ in Indicator._meta.get_field(name).flatchoices)
    return f"{data[name]!r} is not one of: {', '.join(choices)}."


def import_definitions(*, upload, file_name: str, user, commit: bool) -> ImportReport:
    """Check (and with COMMIT, save) PI definitions keyed by code.

    Each row's org unit must be one the user edits; an existing code must be a PI the user edits.
    Side effects when committed: Indicators created or updated in bulk with history rows, tags
    created as needed, an ImportRun row."""
    report = ImportReport(kind=ImportRun.Kind.DEFINITIONS)
    header, rows = read_table(upload, file_name)
    check_header(header, DEFINITION_COLUMNS, DEFINITION_REQUIRED)
    units = {unit.code: unit for unit in OrgUnit.objects.pickable_by(user)}
    people = {person.username: person for person in User.objects.pickable_by(user)}
    existing = {ind.code: ind for ind in Indicator.objects.all()}
    # The stored formulas, before the rows below set theirs on the PIs they change.
    formulas = {code: ind.formula for code, ind in existing.items() if ind.formula}
    editable = set(Indicator.objects.editable_by(user).values_list("code", flat=True))
    seen, pending = {}, []
    for number, cells in enumerate(rows, start=2):
        data = {name: _text(cells[index]) if index < len(cells) else "" for index, name in enumerate(header)}
        if not any(data.values()):
            continue
        report.rows += 1
        code = data["code"]
        if not CODE_PATTERN.match(code):
            report.add(number, "code", f"{code!r} is not a valid code (letters, digits, underscores).")
            continue
        if code in seen:
            report.add(number, "code", f"{code} already appears in row {seen[code]}.")
            continue
        seen[code] = number
        if code in existing and code not in editable:
            report.add(number, "code", f"{code} exists and is not a PI you can edit.")
            continue
        indicator = existing.get(code) or Indicator(code=code)
        errors = _set_definition(indicator, data, units=units, people=people)
        for column in DEFINITION_COLUMNS:
            if column in errors:
                report.add(number, column, errors[column])
        if not errors:
            pending.append((number, indicator, data))
    known = set(existing) | set(seen)
    formulas.update({ind.code: ind.formula for _, ind, data in pending if "formula" in data})
    for number, indicator, data in pending:
        if data.get("formula"):
            try:
                services.validate_formula(
                    code=indicator.code,
                    formula=indicator.formula,
                    known_codes=known,
                    other_formulas={k: v for k, v in formulas.items() if k != indicator.code and v},
                )
            except ValidationError as exc:
                report.add(number, "formula", " ".join(exc.message_dict["formula"]))
        if data.get("proxy_for") and data["proxy_for"] not in known:
            report.add(number, "proxy_for", f"{data['proxy_for']!r} is not a PI code.")
        elif data.get("proxy_for") == indicator.code:
            report.add(number, "proxy_for", "A PI cannot be a proxy for itself.")
    if not commit or not report.ok:
        return report
    with transaction.atomic():
        to_create, to_update = [], []
        for _, indicator, _ in pending:
            (to_update if indicator.pk else to_create).append(indicator)
        if to_create:
            bulk_create_with_history(to_create, Indicator, default_user=user, batch_size=1000)
        if to_update:
            bulk_update_with_history(
                to_update,
                Indicator,
                [name for name in DEFINITION_COLUMNS if name not in ("code", "tags", "proxy_for")],
                default_user=user,
                batch_size=1000,
            )
        by_code = {ind.code: ind for ind in Indicator.objects.filter(code__in=list(seen))}
        proxies = []
        all_codes = {
            ind.code: ind
            for ind in Indicator.objects.filter(
                code__in=[data["proxy_for"] for *_, data in pending if data.get("proxy_for")]
            )
        }
        tag_names = {
            name.strip()[:60] for *_, data in pending for name in data.get("tags", "").split(";") if name.strip()
        }
        tags = {tag.name: tag for tag in Tag.objects.filter(name__in=tag_names)}
        for name in tag_names - set(tags):
            tags[name] = Tag.objects.create(name=name)
        through = Indicator.tags.through
        for *_, data in pending:
            indicator = by_code[data["code"]]
            if "proxy_for" in data:
                indicator.proxy_for = all_codes.get(data["proxy_for"]) if data["proxy_for"] else None
                proxies.append(indicator)
            if "tags" in data:
                through.objects.filter(indicator=indicator).delete()
                through.objects.bulk_create(
                    [
                        through(indicator=indicator, tag=tags[name.strip()[:60]])
                        for name in data["tags"].split(";")
                        if name.strip()
                    ],
                    ignore_conflicts=True,
                )
        if proxies:
            Indicator.objects.bulk_update(proxies, ["proxy_for"])
        report.created, report.updated = len(to_create), len(to_update)
        report.record_run(file_name=file_name, user=user)
    report.committed = True
    return report
