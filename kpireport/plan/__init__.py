"""Stage 1: the plan workbook (or JSON/YAML) read, checked against the schema and cross-checked, built
into a Plan; written back and converted; cached for the commands."""
