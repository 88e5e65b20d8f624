"""The core: the maths of one network, and nothing else.

Activations, losses, initialisers and optimizers (each a leaf registry: a value and its
derivative side by side, looked up by name), the dense layer, the Network, the gradient
check and the names of units and weights. The core never imports the rest of xornet's rooms
(one deferred import aside: ``Network.save`` writes through ``xornet.io.modelfile``), and
never matplotlib, typer, rich or a web framework.
"""
