"""Instruments for studying where training fails, built on the population trainer: the
trainability map (``fractal``), the loss landscape of a model (``landscape``) and the
initialisation explorer (``inits``). Each returns numbers and objects; the figures are in
``xornet.viz`` and the commands in ``xornet.cli``."""
