"""The theme's text is readable: every text/background pair meets WCAG AA (4.5:1)."""

from __future__ import annotations

import pytest

from jointlead.ui.theme import TEXT_PAIRS, contrast_ratio


@pytest.mark.parametrize(("foreground", "background"), TEXT_PAIRS)
def test_text_contrast_is_at_least_4_5_to_1(foreground, background):
    assert contrast_ratio(foreground, background) >= 4.5


def test_the_contrast_measure_agrees_with_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
