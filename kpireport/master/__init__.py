"""Stage 7a: the master workbook (xlsxwriter)."""
