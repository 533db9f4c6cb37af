"""Org chart speed: layout, scene build and one paint for a generated service, side by side at several sizes.

    .venv/bin/python bench/org_chart.py [--people 1000] [--repeat 5]

Target (issue 5): an org chart of 1,000 people lays out and paints in under 1 s, that is layout + scene build
(`OrgChart.show_structure`, which includes the layout) + one paint of the chart fitted to a 1920 x 1080 image.
Also shown: a paint of one screenful at 100% (where card text is drawn), and a 150-person service for scale.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date

from summary import record

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from jointlead.domain.org_layout import layout_org
from jointlead.services.org_structure import OrgEmployer, OrgLine, OrgPerson, Structure
from jointlead.ui.application import make_application
from jointlead.ui.org_chart import OrgChart

TARGET_SECONDS = 1.0
EMPLOYERS = (OrgEmployer("NCC", "Northshire County Council", "#7C2855"),
             OrgEmployer("NFT", "Northshire NHS Foundation Trust", "#005EB8"))
PROFESSIONS = ("social worker", "mental health nurse", "occupational therapist", "psychologist", "support worker")
TITLES = ("Community Mental Health Nurse", "Social Worker (AMHP)", "Senior Occupational Therapist",
          "Support Time and Recovery Worker", "Clinical Psychologist")


def generated_structure(count: int, seed: int = 5) -> Structure:
    """A service like the demo's, scaled up: managers with 3-12 reports over at most five levels, a third of the
    council's staff managed by the trust, and professional leads who are often someone other than the manager."""
    rng = random.Random(seed)
    people: list[OrgPerson] = []
    lines: list[OrgLine] = []
    waiting: list[tuple[int, int]] = []
    leads: dict[str, list[int]] = {}
    for n in range(1, count + 1):
        employer = EMPLOYERS[0] if rng.random() < 0.35 else EMPLOYERS[1]
        profession = rng.choice(PROFESSIONS)
        grade = f"Band {rng.randint(3, 8)}" if employer.code == "NFT" else f"Grade {rng.randint(5, 13)}"
        people.append(OrgPerson(n, f"Person {n:04d} {profession.title()}", rng.choice(TITLES), grade, employer.code,
                                employer.colour, f"Team {n % 9 + 1}", profession))
    employer_of = {p.id: p.employer_code for p in people}
    for person in people:
        if waiting and rng.random() > 0.02:
            manager, level = waiting[0]
            lines.append(OrgLine(person.id, manager, "managerial", employer_of[person.id] != employer_of[manager]))
            if sum(1 for line in lines if line.lead_id == manager) >= rng.randint(3, 12):
                waiting.pop(0)
            if level < 3 and rng.random() < 0.3:
                waiting.append((person.id, level + 1))
        else:
            waiting.append((person.id, 0))
        candidates = leads.setdefault(person.profession, [])
        if candidates and rng.random() < 0.6:
            lead = rng.choice(candidates[:12])
            lines.append(OrgLine(person.id, lead, "professional", employer_of[person.id] != employer_of[lead]))
        if rng.random() < 0.1:
            candidates.append(person.id)
    return Structure(date(2026, 11, 20), tuple(people), tuple(lines), organisations=EMPLOYERS)


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    action()  # once to warm fonts and caches, as a chart that is open already would be
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paint_fitted(chart: OrgChart) -> None:
    """The whole chart fitted in the window, painted as the screen paints it: through the view (which paints only
    the cards' shapes at this zoom; on paper the text is drawn too, see ui/printing.py)."""
    chart.view.fit()
    chart.view.viewport().grab()


def paint_screenful(chart: OrgChart) -> None:
    image = QImage(1920, 1080, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    top = chart.scene.itemsBoundingRect().topLeft()
    chart.scene.render(painter, QRectF(image.rect()), QRectF(top.x(), top.y(), 1920, 1080))
    painter.end()


def measure(count: int, repeat: int) -> dict[str, float]:
    structure = generated_structure(count)
    chart = OrgChart()
    chart.resize(1920, 1080)
    managerial = [(line.person_id, line.lead_id) for line in structure.lines if line.kind == "managerial"]
    ids = [p.id for p in structure.people]
    results = {
        "layout alone (domain)": median_seconds(lambda: layout_org(ids, managerial), repeat),
        "scene build (show_structure, incl. layout)": median_seconds(lambda: chart.show_structure(structure), repeat),
        "paint, whole chart fitted in the window": median_seconds(lambda: paint_fitted(chart), repeat),
        "paint, one screenful at 100% (with text)": median_seconds(lambda: paint_screenful(chart), repeat),
    }
    results["target: show_structure + fitted paint"] = (results["scene build (show_structure, incl. layout)"]
                                                        + results["paint, whole chart fitted in the window"])
    chart.deleteLater()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # read when the QApplication is made, not on import
    make_application()
    sizes = sorted({150, args.people})
    table = {size: measure(size, args.repeat) for size in sizes}
    print(f"\nOrg chart, median of {args.repeat} runs (seconds)")
    print(f"  {'':<44}" + "".join(f"{f'{size:,} people':>14}" for size in sizes))
    for name in table[sizes[0]]:
        print(f"  {name:<44}" + "".join(f"{table[size][name]:14.3f}" for size in sizes))
    ours = table[args.people]["target: show_structure + fitted paint"]
    if len(sizes) > 1:
        ratio = ours / table[150]["target: show_structure + fitted paint"]
        print(f"  {f'{args.people:,} / 150 people':<44}{ratio:13.1f}x  ({args.people / 150:.1f}x the people)")
    big = table[args.people]
    share = big["layout alone (domain)"] / big["scene build (show_structure, incl. layout)"]
    print(f"  {'layout share of the scene build':<44}{share:13.0%}")
    verdict = "met" if ours < TARGET_SECONDS else "NOT met"
    print(f"  {f'target: {args.people:,} people < {TARGET_SECONDS} s':<44}{verdict:>14}")
    record(f"org chart of {args.people:,} people", ours, "150 people", table[150]["target: show_structure + "
           "fitted paint"] if len(sizes) > 1 else None, f"< {TARGET_SECONDS} s", ours < TARGET_SECONDS)
    return 0 if ours < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
