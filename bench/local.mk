# bench/ -- see its files.
