"""DIY Solar: off-grid and zero-feed-in solar battery systems in Home Assistant."""

from importlib.util import find_spec

# drivers/ and emulators/ also run from plain Python scripts (the command
# lines, benchmarks); load the Home Assistant glue only where HA is installed.
if find_spec("homeassistant") is not None:
    from .integration import (
        CONFIG_SCHEMA,
        async_remove_config_entry_device,
        async_remove_entry,
        async_setup,
        async_setup_entry,
        async_unload_entry,
    )

    __all__ = [
        "CONFIG_SCHEMA",
        "async_remove_config_entry_device",
        "async_remove_entry",
        "async_setup",
        "async_setup_entry",
        "async_unload_entry",
    ]
