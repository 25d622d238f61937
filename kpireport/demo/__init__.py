"""The embedded example brought to life: forms filled as departments fill them, and the second example's
published record put into a history."""
