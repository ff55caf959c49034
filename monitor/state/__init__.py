"""State: the SQLite store (the only module that runs SQL) and the read-only reports over it.

May import models, errors and ops.metrics (report figures).
"""
