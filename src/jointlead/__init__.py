"""jointlead: one trustworthy record for the joint general manager of an integrated service."""

__version__ = "0.1.0"
