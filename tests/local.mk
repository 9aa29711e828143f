# tests/ -- see its files.
