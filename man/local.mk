# man/ -- see its files.
