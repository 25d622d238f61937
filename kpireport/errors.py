"""Exceptions for a broken environment (a folder that cannot be written, a missing workspace).

Problems in the data are never exceptions: they are Findings.
"""


class KpireportError(Exception):
    """A problem the user must fix outside the data; the message is Japanese and says what to do."""
