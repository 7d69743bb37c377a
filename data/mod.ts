/**
 * Everything DuckDB: the dataset store (Arrow IPC + manifest under `OMIGA_HOME`), the dataset
 * schema, importers, validation, statistics and filters as SQL, and the bridge from stored
 * tables to training tensors. Depends on `core/` for shared types only.
 *
 * @module
 */
export { canonicalFromTable, readArrowFile, writeArrowFile } from "./arrow_layout.ts";
export { type DuckEngine, duckEngine } from "./engine.ts";
export { DatasetError, type DatasetErrorCode, type DatasetErrorLocation } from "./errors.ts";
export {
  csvHeader,
  EXPORT_EXTENSIONS,
  exportDataset,
  type ExportFormat,
  exportFormatOf,
} from "./export.ts";
export {
  type EpisodeFilter,
  filterDataset,
  type FilterOptions,
  formatEpisodeFilter,
  parseEpisodeFilter,
  selectRows,
} from "./filter.ts";
export { datasetsRoot, omigaHome, type StoreOptions } from "./home.ts";
export * from "./importers/mod.ts";
export { contentHash, datasetId, type DatasetManifest } from "./manifest.ts";
export { npzArrays, writeNpz } from "./npz.ts";
export { readParquetDataset, writeLongParquet, writeParquetDataset } from "./parquet_layout.ts";
export { type DatasetStats, datasetStats, type Distribution } from "./stats.ts";
export {
  getManifest,
  listDatasets,
  loadDataset,
  removeDataset,
  saveDataset,
  type SaveOptions,
  type StoredDataset,
} from "./store.ts";
export { loadTrainingData, type TrainingData } from "./training.ts";
export { countTransitions, isTransitionStart, toTransitions } from "./transitions.ts";
export { type SourceNaming, validateCanonical, type ValidationSummary } from "./validate.ts";
