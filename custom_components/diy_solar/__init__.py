"""DIY Solar: off-grid and zero-feed-in solar battery systems in Home Assistant."""

import sys

# drivers/ and emulators/ also run from plain Python scripts (the command lines,
# benchmarks), which must start fast: the Home Assistant glue is loaded only when Home
# Assistant itself imports the integration (it is loaded by then), not merely because it
# is installed.
if sys.modules.get("homeassistant") is not None:
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
