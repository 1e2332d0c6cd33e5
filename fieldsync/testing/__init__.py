"""Drivers of a whole network for the tests, the benchmarks and the chaos run: a hub and
nodes in one process (`world`), a small realistic outlet (`outlet`), and real hub and node
processes over HTTPS (`processes`)."""
