"""Every form the app opens, opened as its page opens it: its main button and Cancel each have an Alt+letter, and no
two controls in the form share one."""

from __future__ import annotations

import importlib
import pkgutil

from driving import only
from mnemonics import clashes, letter, mnemonics

from PySide6.QtWidgets import QDialogButtonBox

from conftest import DEMO_TODAY
from jointlead import ui
from jointlead.services.budget_month import unlock_period
from jointlead.ui.forms import FormDialog
from jointlead.ui.supervision_dialogs import SessionsDialog


def _forms_in_the_app() -> set[type[FormDialog]]:
    """Every kind of form the app opens: those no other form is built on (as forms are on the scrolling form)."""
    for module in pkgutil.iter_modules(ui.__path__, f"{ui.__name__}."):  # those not imported yet have forms too
        importlib.import_module(module.name)
    found, waiting = set(), [FormDialog]
    while waiting:
        kind = waiting.pop()
        waiting.extend(kind.__subclasses__())
        if not kind.__subclasses__():
            found.add(kind)
    return found


def _opened(page, *slots) -> list[FormDialog]:
    """The form each of the page's slots opens, checked and closed again before the next opens."""
    forms = []
    for slot in slots:
        slot()
        form = only(page, FormDialog)
        forms.append(form)
        keys = mnemonics(form)
        ok, cancel = (form.buttons.button(which).text()
                      for which in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel))
        assert letter(ok) and letter(cancel), (form.windowTitle(), ok, cancel)
        assert clashes(keys) == [], (form.windowTitle(), clashes(keys))
        form.reject()
    return forms


def test_every_form_has_letters_for_its_buttons_and_none_twice(window, demo_db, messages):
    unlock_period(demo_db, None, 2026, 7, "Late NCC journal", today=DEMO_TODAY)  # M7 to close, its rows to assign
    window.set_database(demo_db)
    kinds = set()

    window.show_page("People & lines")
    page = window.current_page()
    page.open_person(page.table.model.row_at(0).id)
    kinds |= {type(f) for f in _opened(page, page.add_team, page.add_person, page.edit_person, page.change_line,
                                       page.end_line, page.record_leaver, page.reassign, page.erase_person)}

    window.show_page("Supervision")
    page = window.current_page()
    signed = next(r for r in range(page.everyone.model.rowCount())
                  if page.everyone.model.row_at(r).agreement_signed is not None)
    page.tabs.setCurrentWidget(page.everyone)
    page.everyone.view.selectRow(signed)  # its agreement form also offers to clear the date
    forms = _opened(page, page.record_session, page.group_session, page.arrange, page.change_supervisor,
                    page.end_arrangement, page.agreement_signed)
    assert forms[-1].not_signed is not None
    kinds |= {type(f) for f in forms}
    page.past_sessions()  # a list, not a form; the supervisee's confirmation of a session in it is a form
    sessions = only(page, SessionsDialog)
    sessions.table.view.selectRow(0)
    kinds |= {type(f) for f in _opened(page, sessions.supervisee_confirmed)}
    sessions.reject()

    window.show_page("Actions")
    page = window.current_page()
    page.table.view.selectRow(0)
    kinds |= {type(f) for f in _opened(page, page.add_update, page.change_status, page.revise_due, page.set_rag,
                                       page.edit_action, page.add_meeting)}

    window.show_page("Budgets")
    page = window.current_page()
    page.lines.view.selectRow(0)
    page.instalments.view.selectRow(0)
    page.unmapped.view.selectAll()
    kinds |= {type(f) for f in _opened(page, page.set_up_agreement, page.change_agreement, page.record_payment,
                                       page.add_line, page.add_contribution, page.change_line, page.map_codes,
                                       page.start_next_year, page.virement, page.close_month, page.unlock_month,
                                       page.assign)}

    assert messages == []
    assert kinds == _forms_in_the_app()  # a form added to the app is added here too
