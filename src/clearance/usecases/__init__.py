"""Use cases: the wiring the front ends (CLI, server) and the library API call. Each connects
the seams below (sources -> graph -> engine -> policy) for one job and holds no rule of its own."""
