/**
 * Everything DuckDB: the dataset store (Arrow IPC + manifest under `OMIGA_HOME`), the dataset
 * schema, importers, validation, statistics and filters as SQL, and the bridge from stored
 * tables to training tensors. Depends on `core/` for shared types only.
 *
 * @module
 */
export {};
