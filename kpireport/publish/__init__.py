"""The public site: the period's progress as static pages and open data for citizens (`kpireport publish`)."""
