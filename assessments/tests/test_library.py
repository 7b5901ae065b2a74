"""Loading framework libraries: the shipped files, versions, and hostile or malformed files."""

import io

import pytest
from django.core.management import CommandError, call_command

from assessments import services
from assessments.library import LibraryError, parse_library
from assessments.models import Assessment, Framework, FrameworkNode
from assessments.tests.factories import LIBRARY, make_assessment

SHIPPED = services.LIBRARIES


def refused(data: bytes) -> list[str]:
    with pytest.raises(LibraryError) as error:
        parse_library(data)
    return error.value.problems


def test_the_three_shipped_libraries_load_with_their_structure_and_flags(db):
    results = services.load_shipped_libraries()
    assert [created for _, created in results] == [True, True, True]
    kloe, standards, code = (framework for framework, _ in results)

    assert standards.name == "RSH Consumer Standards"
    assert str(standards.effective_date) == "2024-04-01"
    assert standards.nodes.filter(is_question=True).count() == 62  # 20 required outcomes + 42 expectations
    assert list(standards.scales.get().values) == [1, 2, 3, 4]
    item = standards.nodes.get(code="NC 2.1.1")
    assert (item.verified, item.parent.code, item.parent.parent.code) == (True, "NC-A2", "NC")
    assert standards.nodes.get(code="SQ 2.1.1").verified is False
    # placeholder codes repeat in the source; each keeps its own node
    assert list(
        standards.nodes.filter(code__startswith="TEN 2.1.x").order_by("lft").values_list("code", flat=True)
    ) == [
        "TEN 2.1.x",
        "TEN 2.1.x (2)",
        "TEN 2.1.x (3)",
        "TEN 2.1.x (4)",
        "TEN 2.1.x (5)",
    ]

    assert code.nodes.filter(is_question=True).count() == 73
    assert code.nodes.filter(is_question=True, verified=True).count() == 21
    assert code.scales.get().kind == "compliance"
    assert [lv["label"] for lv in code.scales.get().levels] == ["No", "Yes"]
    assert code.nodes.get(code="6.14").parent.code == "6 Stage 2"

    assert kloe.nodes.filter(is_question=True).count() == 16
    assert [s.key for s in kloe.scales.all()] == ["service_quality", "prospects_for_improvement"]
    prospects = kloe.nodes.get(code="prospects_for_improvement")
    assert prospects.scale.key == "prospects_for_improvement"
    vfm = kloe.nodes.get(code="value_for_money")
    assert vfm.parent.code == "cross-cutting"
    assert sorted(vfm.also_under.values_list("code", flat=True)) == ["housing-management", "property-services"]
    assert "KLOE number 4 comes from the brief and is not verified." in kloe.nodes.get(code="housing_income").notes
    # the MPTT numbers written in bulk are those the tree library expects
    tree = list(FrameworkNode.objects.filter(framework=kloe).order_by("lft"))
    assert tree[0].parent_id is None and tree[0].rght == 2 * len(tree)
    assert [n.code for n in tree[0].get_children()] == [
        "cross-cutting",
        "housing-management",
        "property-services",
        "strategic-housing",
        "improvement",
    ]


def test_loading_again_changes_nothing_and_a_changed_library_is_a_new_version(db, world, tmp_path):
    services.load_shipped_libraries()
    before = (Framework.objects.count(), FrameworkNode.objects.count(), FrameworkNode.history.count())
    assert [created for _, created in services.load_shipped_libraries()] == [False, False, False]
    assert (Framework.objects.count(), FrameworkNode.objects.count(), FrameworkNode.history.count()) == before

    first, _ = services.install_library(library=parse_library(LIBRARY))
    assessment = make_assessment(first, unit=world.team, lead=world.manager)
    changed = LIBRARY.replace(b"title: Arrears advice", b"title: Arrears and money advice")
    second, created = services.install_library(library=parse_library(changed))
    assert created and (second.key, second.version, first.version) == ("test-framework", 2, 1)
    assert second.nodes.get(code="T1.2").title == "Arrears and money advice"
    assessment.refresh_from_db()
    assert assessment.framework == first
    assert assessment.responses.get(node__code="T1.2").node.title == "Arrears advice"


def test_load_framework_command_loads_a_file_and_reports_a_bad_one(db, tmp_path):
    out = io.StringIO()
    call_command("load_framework", str(SHIPPED / "complaint_handling_code.yaml"), stdout=out)
    assert out.getvalue().startswith("Loaded Housing Ombudsman Complaint Handling Code (version 1)")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(LIBRARY.replace(b"code: T2.1,", b"code: T1.1,"))
    with pytest.raises(CommandError) as error:
        call_command("load_framework", str(bad), stdout=io.StringIO())
    assert "nothing loaded" in str(error.value)
    assert "line 25: code 'T1.1' is used twice (first on line 22)" in str(error.value)
    assert Framework.objects.count() == 1


@pytest.mark.parametrize(
    "change, problem",
    [
        (
            b"  publisher: Test publisher\n",
            "line 6: unknown key 'colour' in framework; expected about, edition, effective_date, key, licence, "
            "name, publisher, sources",
        ),
        (b"code: T2.1,", "line 25: code 'T1.1' is used twice (first on line 22)"),
        (b"parent: T1, weight: 2", "line 22: T1.1: its parent 'T9' is not in the library"),
        (
            b"descriptors: {3: Arrears fall each quarter}",
            "line 22: T1.1: level 5 is not on the scale 'levels' (1, 2, 3, 4)",
        ),
        (b"{value: 4, label: Excellent}", "line 7: scale 'levels' repeats a level"),
        (b"weight: 2", "line 22: T1.1: the weight must be between 1 and 1000"),
    ],
)
def test_malformed_libraries_are_refused_naming_line_or_code(db, change, problem):
    replacements = {
        b"  publisher: Test publisher\n": b"  publisher: Test publisher\n  colour: blue\n",
        b"code: T2.1,": b"code: T1.1,",
        b"parent: T1, weight: 2": b"parent: T9, weight: 2",
        b"descriptors: {3: Arrears fall each quarter}": b"descriptors: {5: Beyond the scale}",
        b"{value: 4, label: Excellent}": b"{value: 3, label: Excellent}",
        b"weight: 2": b"weight: 0",
    }
    assert problem in refused(LIBRARY.replace(change, replacements[change]))
    assert Framework.objects.count() == 0


def test_a_cycle_through_parents_is_refused():
    data = LIBRARY.replace(b"- {code: T1, title: Income, kind: Theme}", b"- {code: T1, title: Income, parent: T1.1}")
    assert refused(data) == ["line 21: T1: the parents and cross-cutting links loop (T1 > T1.1 > T1)"]


def test_a_cycle_through_a_cross_cutting_link_is_refused():
    data = LIBRARY.replace(
        b"- {code: T2, title: Repairs, kind: Theme}", b"- {code: T2, title: Repairs, also_under: [X1]}"
    )
    problems = refused(data)
    assert len(problems) == 1 and "loop" in problems[0] and "X1" in problems[0] and "T2" in problems[0]


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"!!python/object/apply:os.system ['echo hacked']\n", "could not determine a constructor for the tag"),
        (b"framework: !!python/name:os.system\n", "could not determine a constructor for the tag"),
        (b"a: &x [1, 2]\nb: *x\n", "line 1: anchors and aliases (& and *) are not allowed in a library"),
        (b"nodes: []\nnodes: []\n", "line 2: the key 'nodes' appears twice (first on line 1)"),
        (b"nodes: [\n", "line 2:"),
        (b"- just\n- a list\n", "line 1: a library starts with named sections (a mapping), not a list or a value"),
        (b"one: 1\n---\ntwo: 2\n", "a library is one YAML document; this file has 2"),
        (b"\xff\xfe\x00x", "the file is not UTF-8 text (byte 1)"),
        (b"   \n", "the file is empty"),
        (
            b"title: x\n",
            "line 1: not a framework library: expected a 'nodes', 'kloes', 'standards' or 'sections' list, found title",
        ),
    ],
)
def test_hostile_yaml_is_refused_without_building_anything(data, problem):
    problems = refused(data)
    assert any(problem in p for p in problems), problems


def test_a_50_mb_file_is_refused_before_it_is_read(db, tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.write(LIBRARY)
        handle.write(b"# padding\n" * (5 * 1024 * 1024))
    with pytest.raises(LibraryError) as error:
        services.load_library_file(path=big)
    assert error.value.problems == ["the file is 50.0 MB; a library may be at most 1024 KB"]
    assert Framework.objects.count() == 0


def test_unknown_keys_in_a_shipped_layout_are_refused_with_their_line():
    data = (
        (SHIPPED / "housing_kloes.yaml")
        .read_bytes()
        .replace(b"  - id: diversity\n", b"  - id: diversity\n    rating: 5\n")
    )
    problems = refused(data)
    assert len(problems) == 1
    assert problems[0].startswith("line 62: unknown key 'rating' in a KLOE; expected")


def test_a_complaint_code_whose_section_count_disagrees_is_refused():
    data = (SHIPPED / "complaint_handling_code.yaml").read_bytes().replace(b"  sections: 9\n", b"  sections: 10\n")
    assert refused(data) == ["line 13: meta says 10 sections; the file has 9"]


def test_nothing_is_loaded_when_the_file_has_a_problem(db):
    data = LIBRARY.replace(b"code: T2.1,", b"code: T1.1,")
    with pytest.raises(LibraryError):
        services.install_library(library=parse_library(data))
    assert (Framework.objects.count(), FrameworkNode.objects.count(), Assessment.objects.count()) == (0, 0, 0)
