"""Data and files: datasets, CSV, model files (a strict reader, an atomic writer) and the
hand-built networks that ship with xornet."""
