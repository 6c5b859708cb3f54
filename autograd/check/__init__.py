"""autograd/check"""
