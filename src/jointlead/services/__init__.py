"""The verbs of jointlead: one function per thing a user does, each one unit of work."""
