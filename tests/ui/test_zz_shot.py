from driving import choose_file, open_wizard
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from jointlead.services.demo import write_next_month_extracts


def test_shot(window, demo_db, qtbot, tmp_path):
    nft, _ncc = write_next_month_extracts(tmp_path / "extracts")
    window.resize(1280, 800)
    window.show()
    window.set_database(demo_db)
    wizard = open_wizard(window, qtbot)
    choose_file(wizard, qtbot, nft, organisation="NFT")
    qtbot.waitUntil(lambda: wizard.currentPage() is not wizard.choose_page, timeout=10000)
    qtbot.wait(300)
    wizard.grab().save("/tmp/shot-mapping.png")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.preview_page, timeout=10000)
    qtbot.wait(300)
    wizard.grab().save("/tmp/shot-preview.png")
    qtbot.mouseClick(wizard.preview_page.show_unmapped, Qt.MouseButton.LeftButton)
    qtbot.wait(300)
    wizard.grab().save("/tmp/shot-preview2.png")
