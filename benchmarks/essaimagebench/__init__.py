"""The pieces of benchmarks/essaimage.py: the sort « Prêts à essaimer d'abord » on
both search backends (searches), the projects written in bulk for the other two
sections (projects), the lineage of a project page (lineage) and the territory
portrait in PDF (portrait); figures are printed as each section ends."""
