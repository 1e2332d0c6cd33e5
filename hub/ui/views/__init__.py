"""HQ screens, one module per concern; each view takes the shell and builds its controls."""
