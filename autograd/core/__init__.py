"""autograd/core"""
