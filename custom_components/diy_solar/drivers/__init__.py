"""Device drivers: wire protocols only, no Home Assistant import."""
