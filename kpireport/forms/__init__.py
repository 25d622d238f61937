"""Stage 2: the department form, its layout (shared with validation) and its writer."""
