"""Stage 5: the SQLite history of submissions and values; a merge recorded in it; past actuals imported."""
