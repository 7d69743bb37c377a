/**
 * Where omiga-flow keeps its state: `OMIGA_HOME` (default `./.omiga`) holds the SQLite store
 * `state.db` and one artifact folder per run, `runs/<run id>/`.
 *
 * @module
 */
import { join } from "node:path";
import { omigaHome } from "../data/home.ts";

export { omigaHome };

/** The SQLite file holding runs, steps, events and schedules. */
export function stateDbPath(home: string): string {
  return join(home, "state.db");
}

/** A run's artifact folder: checkpoints, policies, reports. */
export function runArtifactsDir(home: string, runId: string): string {
  return join(home, "runs", runId);
}

/** The folder holding one step's checkpoints. */
export function stepCheckpointDir(home: string, runId: string, stepId: string): string {
  return join(runArtifactsDir(home, runId), "checkpoints", stepId);
}
