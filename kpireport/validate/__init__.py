"""Stage 4: a submission checked against the plan and its form (findings and clean values), and the
marked-up copy returned to the department."""
