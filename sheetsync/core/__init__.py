"""The pure core: deciding, with no I/O, no clock and no environment."""
