"""Writes tests/data/corpora/tables/nato-defence-expenditure-2014-2023.docx with python-docx: NATO's
published figures for defence expenditure as a share of GDP, 2014 and 2023 (estimate), from NATO's
press release "Defence Expenditure of NATO Countries (2014-2023)" (7 July 2023; based on 2015 prices
and exchange rates; Iceland, which has no armed forces, is not listed). The figures are NATO's; the
sentences around the table are this project's. Run: .venv/bin/python tests/data/make_nato_docx.py"""

from pathlib import Path

import docx

FIGURES = [  # (Ally, 2014, 2023e), % of GDP, in NATO's order of 2023 share
    ("Poland", "1.88", "3.90"), ("United States", "3.72", "3.49"), ("Greece", "2.22", "3.01"),
    ("Estonia", "1.93", "2.73"), ("Lithuania", "0.88", "2.54"), ("Finland", "1.45", "2.45"),
    ("Romania", "1.35", "2.44"), ("Hungary", "0.86", "2.43"), ("Latvia", "0.94", "2.27"),
    ("United Kingdom", "2.07", "2.14"), ("Slovakia", "0.98", "2.03"), ("France", "1.82", "1.90"),
    ("Montenegro", "1.50", "1.87"), ("North Macedonia", "1.09", "1.87"), ("Bulgaria", "1.31", "1.84"),
    ("Croatia", "1.79", "1.82"), ("Albania", "1.35", "1.76"), ("Netherlands", "1.15", "1.70"),
    ("Norway", "1.54", "1.67"), ("Denmark", "1.15", "1.65"), ("Germany", "1.19", "1.57"),
    ("Czechia", "0.94", "1.50"), ("Portugal", "1.31", "1.48"), ("Italy", "1.14", "1.46"),
    ("Canada", "1.01", "1.38"), ("Slovenia", "0.97", "1.35"), ("Türkiye", "1.45", "1.31"),
    ("Spain", "0.92", "1.26"), ("Belgium", "0.97", "1.13"), ("Luxembourg", "0.37", "0.72"),
]
OUT = Path(__file__).resolve().parent / "corpora" / "tables" / "nato-defence-expenditure-2014-2023.docx"


def main() -> None:
    d = docx.Document()
    d.core_properties.title = "Defence expenditure of NATO Allies as a share of GDP, 2014 and 2023"
    d.add_heading("Defence expenditure as a share of GDP", level=1)
    d.add_paragraph("In 2014 Allies agreed to move towards spending 2% of their gross domestic product on defence "
                    "within a decade. The table below gives each Ally's defence expenditure as a share of its GDP "
                    "in 2014 and the estimate for 2023, as published by NATO in July 2023.")
    d.add_paragraph("Defence expenditure by Ally, as a share of real GDP (%), based on 2015 prices and exchange rates:")
    table = d.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Ally", "Share of GDP 2014 (%)", "Share of GDP 2023, estimate (%)")):
        cell.text = text
    for row in FIGURES:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    d.add_paragraph("Source: NATO, Defence Expenditure of NATO Countries (2014-2023), press release of 7 July 2023. "
                    "Iceland has no armed forces and is not listed.")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    d.save(OUT)


if __name__ == "__main__":
    main()
