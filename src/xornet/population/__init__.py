"""Many networks at once: the set-up, the NumPy path, the compiled kernel and sweeps."""
