"""Reading a network: the step trace, the logic lens, boolean functions, separability and
the collapse of linear layers."""
