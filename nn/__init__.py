"""Neural networks on top of `autograd`: modules, losses, optimizers and training."""
