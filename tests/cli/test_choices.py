"""The CLI's --format and --use choices are the library's vocabularies, not copies."""

from clearance.bom import FORMATS as BOM_FORMATS
from clearance.cli import common, run
from clearance.engine.values import DATA_TERMS, USES
from clearance.formats import graph_render, names


def _values(choice) -> tuple[str, ...]:
    return tuple(m.value for m in choice)


def test_choices_come_from_the_vocabularies():
    assert _values(common.CheckFormat) == names.RESULTS == run.FORMATS
    assert _values(common.GraphFormat) == names.GRAPH == graph_render.FORMATS
    assert _values(common.BomFormat) == names.BOM == BOM_FORMATS
    assert _values(common.NoticeFormat) == names.NOTICE
    assert _values(common.TableFormat) == names.TABLE
    assert _values(common.UseChoice) == USES
    assert _values(common.DataTermsChoice) == DATA_TERMS


def test_a_choice_is_a_str_enum_typer_can_show():
    fmt = common.choice("Demo", ("a", "b"))
    assert fmt.a == "a" and fmt("b") is fmt.b and isinstance(fmt.a, str)


def test_every_graph_format_renders():
    from clearance.graph.model import Graph

    graph = Graph(root=None, nodes={}, edges=[])
    for fmt in names.GRAPH:
        assert isinstance(graph_render.render(graph, fmt), str)
