"""xlpack: multi-agency case audits in Excel.

Library first: every command of the CLI and every button of the Excel
add-in calls a function of this package.
"""

__version__ = "0.1.0"


def main() -> None:
    """The Excel add-in's button (RunPython "import xlpack; xlpack.main()")."""
    from .excel import main as excel_main

    excel_main()
