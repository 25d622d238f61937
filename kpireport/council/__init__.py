"""Stage 7b: the council report (python-docx), section by section on the base document."""
