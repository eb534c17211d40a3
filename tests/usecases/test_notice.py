from clearance.formats import names
from clearance.kb import default_kb
from clearance.usecases import notice
from clearance.usecases.check import CheckRun


def test_every_notice_format_has_its_renderer_and_no_other():
    assert tuple(notice.RENDERERS) == names.NOTICE


def test_render_writes_each_format():
    empty = notice.build_notice(CheckRun([], []), default_kb())
    assert notice.render(empty, "text").startswith("THIRD-PARTY AI MODEL NOTICES")
    assert notice.render(empty, "markdown").startswith("# Third-party AI model notices")
    assert '"schema_version": 2' in notice.render(empty, "json")
