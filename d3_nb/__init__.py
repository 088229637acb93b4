__version__ = "0.1.0"
from . import store as _store  # registers the datasets read through a store (imagenet64, imagenet32, store)
