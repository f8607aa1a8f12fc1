"""The weekly Excel batch that leaves the office (openpyxl). Plain rows in, a workbook out:
this package knows nothing of the database."""
