"""autograd/compiler"""
