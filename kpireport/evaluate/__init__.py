"""Stage 6: achievement rules and a period's results assembled from the plan and the history."""
