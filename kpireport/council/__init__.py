"""The Word report in the council layout (python-docx): sections as small functions."""
