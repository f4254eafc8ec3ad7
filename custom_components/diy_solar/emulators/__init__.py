"""Wire-level device emulators for tests, benchmarks and the built-in simulator."""
