/**
 * The durable workflow engine (runs, steps, leases, retries, checkpoints, schedules on SQLite
 * under `OMIGA_HOME`) and the workflow definitions (ingest -> train -> evaluate, sweeps). Uses
 * `core/` and `data/`; knows nothing of HTTP.
 *
 * @module
 */
export {};
