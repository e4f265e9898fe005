"""The catalog: normalized entries (entry.py), their format, and how they are stored (store.py).

Nothing is imported here: a command that needs one light module of the catalog (its entry format's
digest, its parsed-entries cache) must not load the entry's pydantic models with it."""
