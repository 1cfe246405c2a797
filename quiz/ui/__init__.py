"""Rendering and input for the terminal (the only terminal code)."""
