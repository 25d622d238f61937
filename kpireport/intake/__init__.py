"""Stage 3: a submitted file opened safely and read into raw cells with their positions."""
