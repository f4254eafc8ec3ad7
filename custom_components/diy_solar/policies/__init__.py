"""Control policies: pure decisions from readings, settings, state and the time.

No Home Assistant import and no clock of their own, so they run the same in a test, a
benchmark and the HA runner that feeds them.
"""
