"""`nox -s repro`: run the pipeline in fresh copies under different conditions, compare outputs.

settings (what to compare, how, which variations), variations (what differs between runs),
workspace (copy and run), compare (by kind), bisect (which variation changes an output),
report (the table, the hints, the figure, `reports/repro.json`), main (the entry point).
"""
