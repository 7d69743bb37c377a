/**
 * Where omiga-flow keeps its state: `OMIGA_HOME` (default `./.omiga`) holds the SQLite store
 * `state.db` and one artifact folder per run, `runs/<run id>/`.
 *
 * @module
 */
import { join } from "node:path";
import { artifactsRoot, omigaHome } from "../data/home.ts";

export { artifactsRoot, omigaHome };

/** The SQLite file holding runs, steps, events and schedules. */
export function stateDbPath(home: string): string {
  return join(home, "state.db");
}

/** A run's artifact folder (checkpoints, policies, reports) under the artifacts root. */
export function runArtifactsDir(artifacts: string, runId: string): string {
  return join(artifacts, "runs", runId);
}

/** The folder holding one step's checkpoints. */
export function stepCheckpointDir(artifacts: string, runId: string, stepId: string): string {
  return join(runArtifactsDir(artifacts, runId), "checkpoints", stepId);
}
