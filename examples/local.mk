# examples/ -- see its files.
