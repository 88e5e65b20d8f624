"""Training one network: the run configuration, the trainer, presets and the perceptron rule."""
