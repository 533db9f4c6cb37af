"""The window: pages, dialogs, table models and the undo stack. The only package that imports Qt."""
