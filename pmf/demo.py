"""Demo organisation: a housing group with three partners, their structure and one person per role.

Idempotent: running it again changes nothing that is already as described (and so adds no
history rows); it resets the demo passwords.
"""

from dataclasses import dataclass

from django.db import transaction

from pmf.models import OrgUnit, User

DEMO_PASSWORD = "demo-pass-2026"

K = OrgUnit.Kind

# (code, name, kind, children)
STRUCTURE = (
    "mhg",
    "Merebrook Housing Group",
    K.GROUP,
    [
        (
            "mh",
            "Merebrook Homes",
            K.ORGANISATION,
            [
                (
                    "mh-hs",
                    "Housing Services",
                    K.DIRECTORATE,
                    [
                        (
                            "mh-tm",
                            "Tenancy Management",
                            K.SERVICE,
                            [
                                ("mh-tm-n", "North Tenancy Team", K.TEAM, []),
                                ("mh-tm-s", "South Tenancy Team", K.TEAM, []),
                            ],
                        ),
                        ("mh-inc", "Income Management", K.SERVICE, [("mh-rents", "Rents Team", K.TEAM, [])]),
                        ("mh-asb", "Anti-social Behaviour", K.SERVICE, []),
                    ],
                ),
                (
                    "mh-ps",
                    "Property Services",
                    K.DIRECTORATE,
                    [
                        ("mh-rep", "Responsive Repairs", K.SERVICE, [("mh-rep-t", "Repairs Team", K.TEAM, [])]),
                        ("mh-voids", "Voids and Lettings", K.SERVICE, []),
                        ("mh-inv", "Planned Investment", K.SERVICE, []),
                    ],
                ),
                (
                    "mh-cx",
                    "Customer Experience",
                    K.DIRECTORATE,
                    [
                        ("mh-cc", "Contact Centre", K.SERVICE, []),
                        ("mh-comp", "Complaints and Feedback", K.SERVICE, []),
                    ],
                ),
                (
                    "mh-north",
                    "North Area",
                    K.AREA,
                    [
                        (
                            "mh-marsh",
                            "Marsh Lane Office",
                            K.OFFICE,
                            [
                                ("mh-n1", "Patch N1", K.PATCH, []),
                                ("mh-n2", "Patch N2", K.PATCH, []),
                            ],
                        ),
                    ],
                ),
                (
                    "mh-south",
                    "South Area",
                    K.AREA,
                    [
                        (
                            "mh-canal",
                            "Canal Street Office",
                            K.OFFICE,
                            [
                                ("mh-s1", "Patch S1", K.PATCH, []),
                                ("mh-s2", "Patch S2", K.PATCH, []),
                            ],
                        ),
                    ],
                ),
            ],
        ),
        (
            "kl",
            "Kestrel Living",
            K.ORGANISATION,
            [
                (
                    "kl-cs",
                    "Care and Support",
                    K.DIRECTORATE,
                    [
                        (
                            "kl-shel",
                            "Sheltered Housing",
                            K.SERVICE,
                            [("kl-shel-t", "Sheltered Schemes Team", K.TEAM, [])],
                        ),
                        ("kl-care", "Home Care", K.SERVICE, []),
                    ],
                ),
                (
                    "kl-fr",
                    "Finance and Resources",
                    K.DIRECTORATE,
                    [
                        ("kl-fin", "Finance", K.SERVICE, []),
                        ("kl-people", "People and Culture", K.SERVICE, []),
                    ],
                ),
            ],
        ),
        (
            "lps",
            "Larchfield Property Services",
            K.ORGANISATION,
            [
                (
                    "lps-ops",
                    "Operations",
                    K.DIRECTORATE,
                    [
                        ("lps-gas", "Gas Servicing", K.SERVICE, [("lps-gas-t", "Gas Compliance Team", K.TEAM, [])]),
                        ("lps-bs", "Building Safety", K.SERVICE, []),
                    ],
                ),
                (
                    "lps-com",
                    "Commercial",
                    K.DIRECTORATE,
                    [
                        ("lps-est", "Estimating", K.SERVICE, []),
                        ("lps-proc", "Procurement", K.SERVICE, []),
                    ],
                ),
            ],
        ),
    ],
)


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    job_title: str
    unit: str
    role: str
    line_manager: str | None = None


R = User.Role
PEOPLE = [
    DemoPerson("group.admin", "Fiona Marsh", "Head of Performance and Insight", "mhg", R.ADMIN),
    DemoPerson("mh.admin", "Priya Shah", "Performance Officer", "mh", R.ADMIN, "group.admin"),
    DemoPerson("mh.manager", "Daniel Okafor", "Director of Housing Services", "mh-hs", R.MANAGER),
    DemoPerson("mh.updater", "Sarah Lewis", "Income Team Leader", "mh-rents", R.UPDATER, "mh.manager"),
    DemoPerson("mh.viewer", "Margaret Hughes", "Board Member", "mh", R.VIEWER),
    DemoPerson("mh.office", "Kevin Doyle", "Marsh Lane Office Manager", "mh-marsh", R.MANAGER, "mh.manager"),
    DemoPerson("kl.admin", "Tom Gallagher", "Performance Analyst", "kl", R.ADMIN, "group.admin"),
    DemoPerson("kl.manager", "Aisha Rahman", "Head of Care and Support", "kl-cs", R.MANAGER),
    DemoPerson("kl.updater", "Gareth Price", "Sheltered Housing Coordinator", "kl-shel-t", R.UPDATER, "kl.manager"),
    DemoPerson("kl.viewer", "Helen Bradshaw", "Board Member", "kl", R.VIEWER),
    DemoPerson("lps.admin", "Chloe Davies", "Business Performance Lead", "lps", R.ADMIN, "group.admin"),
    DemoPerson("lps.manager", "Martin Kelly", "Operations Director", "lps-ops", R.MANAGER),
    DemoPerson("lps.updater", "Jamie Wood", "Gas Compliance Officer", "lps-gas-t", R.UPDATER, "lps.manager"),
    DemoPerson("lps.viewer", "Robert Ellis", "Board Member", "lps", R.VIEWER),
]


def _save_if_changed(obj, values: dict) -> None:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()


def _build_units(node, parent, units: dict) -> None:
    code, name, kind, children = node
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        unit = OrgUnit(code=code, name=name, kind=kind, parent=parent)
        unit.save()
    else:
        _save_if_changed(unit, {"name": name, "kind": kind, "parent": parent, "active": True})
    units[code] = unit
    for child in children:
        _build_units(child, unit, units)


@transaction.atomic
def seed_organisation() -> dict:
    """Create or refresh the demo group. Returns {"units": {code: OrgUnit}, "people": {username: User}}."""
    units: dict[str, OrgUnit] = {}
    _build_units(STRUCTURE, None, units)
    people: dict[str, User] = {}
    for person in PEOPLE:
        values = {
            "name": person.name,
            "email": f"{person.username}@merebrook.example",
            "job_title": person.job_title,
            "org_unit": units[person.unit],
            "role": person.role,
            "line_manager": people.get(person.line_manager) if person.line_manager else None,
            "is_active": True,
        }
        user = User.objects.filter(username=person.username).first()
        if user is None:
            user = User(username=person.username, **values)
            user.set_password(DEMO_PASSWORD)
            user.save()
        else:
            _save_if_changed(user, values)
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        people[person.username] = user
    # Adding a unit moves its ancestors' tree numbers in the database, not in the objects made
    # before it: hand the seeders fresh copies, so the access rules (which read those numbers
    # from a person's unit) see the demo as it is.
    fresh_units = OrgUnit.objects.in_bulk(list(units), field_name="code")
    fresh_people = User.objects.select_related("org_unit").in_bulk(list(people), field_name="username")
    units = {code: fresh_units[code] for code in units}
    people = {username: fresh_people[username] for username in people}
    return {"units": units, "people": people}


def login_table() -> str:
    rows = [f"  {'username':<14} {'role':<8} {'name':<17} job title"]
    for person in PEOPLE:
        rows.append(f"  {person.username:<14} {person.role:<8} {person.name:<17} {person.job_title}")
    return "\n".join(rows)
