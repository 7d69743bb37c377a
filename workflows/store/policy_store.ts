/**
 * The policy registry in SQLite: named policies, their numbered versions (metrics, lineage,
 * files, the promotion gate's decision) and an event for every change of a policy's `latest`.
 *
 * Registering a version, deciding whether it becomes latest and recording that change happen
 * in one transaction, so two runs finishing at once never both compare against the same latest
 * and both win. A run registers at most one version (`run_id` is unique), so a retried step
 * finds its version instead of adding another.
 *
 * @module
 */
import type { SqlDatabase } from "./sql.ts";
import { ValidationError } from "../../core/errors.ts";
import { NotFoundError, RunStateError } from "../errors.ts";
import { decidePromotion, type PromotionDecision } from "../policies/promotion.ts";
import type { Json } from "./records.ts";
import { immediateTransaction } from "./transaction.ts";

/** What a version scored. */
export interface PolicyMetrics {
  /** What the gate compares: `normalisedScore` where there are reference returns, else the return. */
  score?: number;
  scoreKind?: "normalised_score" | "team_return";
  teamReturn?: number;
  normalisedScore?: number;
  /** Evaluation episodes in all (episodes x seeds). */
  episodes?: number;
  /** OMIGA's weight effective sample size at the end of training. */
  weightEss?: number;
}

/** Where a version comes from. */
export interface PolicyLineage {
  runId: string;
  scheduleId: string | null;
  datasetId: string;
  datasetName: string;
  datasetContentHash: string;
  algorithm: string;
  /** The full training config after defaults. */
  config: Json;
  backend: string;
  codeVersion: string;
}

/** A version's files, relative to the home (`policies/<name>/<run id>/...`). */
export interface PolicyFiles {
  policy: string;
  architecture: string;
  onnx?: string;
}

/** One registered version of a policy. */
export interface PolicyVersionRecord {
  name: string;
  version: number;
  runId: string;
  metrics: PolicyMetrics;
  lineage: PolicyLineage;
  files: PolicyFiles;
  /** The hash of the episodes it was evaluated on; null when it was not evaluated. */
  evaluationHash: string | null;
  /** The gate's decision when it was registered. */
  decision: PromotionDecision;
  /** Whether it is its policy's latest now. */
  latest: boolean;
  createdAt: number;
}

/** A named policy. */
export interface PolicyRecord {
  name: string;
  latestVersion: number | null;
  versions: number;
  createdAt: number;
  updatedAt: number;
}

/** A change of a policy's latest. */
export interface PolicyEvent {
  name: string;
  seq: number;
  type: "promoted" | "rolled_back";
  fromVersion: number | null;
  toVersion: number;
  reason: string;
  /** The run whose registration promoted it, when the gate did. */
  runId: string | null;
  time: number;
}

/** What a run hands the registry. */
export interface NewPolicyVersion {
  name: string;
  runId: string;
  metrics: PolicyMetrics;
  lineage: PolicyLineage;
  files: PolicyFiles;
  evaluationHash: string | null;
  /** How far below latest's score a new version may score and still be promoted. */
  tolerance: number;
}

/** Policy names: what a schedule id may be, plus dots and underscores. */
export const POLICY_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Refuses a name that is not a {@link POLICY_NAME}. */
export function checkPolicyName(name: string): string {
  if (!POLICY_NAME.test(name)) {
    throw new ValidationError(
      `policy name "${name}" must be lower-case letters, digits, dots, dashes and underscores ` +
        "(at most 63, starting with a letter or digit)",
    );
  }
  return name;
}

type Row = Record<string, unknown>;
const num = (value: unknown) => value === null || value === undefined ? null : Number(value);

function versionFromRow(row: Row, latest: number | null): PolicyVersionRecord {
  return {
    name: String(row.name),
    version: Number(row.version),
    runId: String(row.run_id),
    metrics: JSON.parse(String(row.metrics)),
    lineage: JSON.parse(String(row.lineage)),
    files: JSON.parse(String(row.files)),
    evaluationHash: row.evaluation_hash === null ? null : String(row.evaluation_hash),
    decision: JSON.parse(String(row.decision)),
    latest: Number(row.version) === latest,
    createdAt: Number(row.created_at),
  };
}

function eventFromRow(row: Row): PolicyEvent {
  return {
    name: String(row.name),
    seq: Number(row.seq),
    type: row.type as PolicyEvent["type"],
    fromVersion: num(row.from_version),
    toVersion: Number(row.to_version),
    reason: String(row.reason),
    runId: row.run_id === null ? null : String(row.run_id),
    time: Number(row.time),
  };
}

/** The `policies`, `policy_versions` and `policy_events` tables. */
export class PolicyStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /**
   * Registers a run's version (or returns the one it registered before) and, when the gate
   * lets it, makes it latest; one transaction.
   */
  register(entry: NewPolicyVersion, now = Date.now()): PolicyVersionRecord {
    checkPolicyName(entry.name);
    return immediateTransaction(this.#db, () => {
      const existing = this.#db.prepare("SELECT * FROM policy_versions WHERE run_id = ?")
        .get(entry.runId) as Row | undefined;
      if (existing !== undefined) return versionFromRow(existing, this.#latestOf(entry.name));
      this.#db.prepare(
        `INSERT INTO policies (name, latest_version, created_at, updated_at)
         VALUES (?, NULL, ?, ?) ON CONFLICT (name) DO NOTHING`,
      ).run(entry.name, now, now);
      const latestVersion = this.#latestOf(entry.name);
      const latest = latestVersion === null ? undefined : this.#row(entry.name, latestVersion);
      const version = this.#nextVersion(entry.name);
      const decision = decidePromotion(
        {
          version,
          score: entry.metrics.score,
          evaluationHash: entry.evaluationHash ?? undefined,
        },
        latest === undefined ? undefined : {
          version: latestVersion!,
          score: (JSON.parse(String(latest.metrics)) as PolicyMetrics).score,
          evaluationHash: latest.evaluation_hash === null
            ? undefined
            : String(latest.evaluation_hash),
        },
        entry.tolerance,
      );
      this.#db.prepare(
        `INSERT INTO policy_versions (name, version, run_id, metrics, lineage, files,
           evaluation_hash, decision, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        entry.name,
        version,
        entry.runId,
        JSON.stringify(entry.metrics),
        JSON.stringify(entry.lineage),
        JSON.stringify(entry.files),
        entry.evaluationHash,
        JSON.stringify(decision),
        now,
      );
      if (decision.promoted) {
        this.#setLatest(entry.name, latestVersion, version, "promoted", decision.reason, {
          runId: entry.runId,
          now,
        });
      }
      return versionFromRow(this.#row(entry.name, version)!, this.#latestOf(entry.name));
    });
  }

  /** Every policy, by name. */
  list(): PolicyRecord[] {
    return this.#db.prepare(
      `SELECT p.*, (SELECT count(*) FROM policy_versions v WHERE v.name = p.name) AS versions
       FROM policies p ORDER BY p.name`,
    ).all().map((row) => this.#policyFromRow(row));
  }

  /** The policy `name`, or a {@link NotFoundError}. */
  get(name: string): PolicyRecord {
    const row = this.#db.prepare(
      `SELECT p.*, (SELECT count(*) FROM policy_versions v WHERE v.name = p.name) AS versions
       FROM policies p WHERE p.name = ?`,
    ).get(name);
    if (row === undefined) {
      throw new NotFoundError(`no policy named "${name}" (\`policies list\` shows them)`);
    }
    return this.#policyFromRow(row);
  }

  /** The versions of `name`, oldest first. */
  versions(name: string): PolicyVersionRecord[] {
    const latest = this.get(name).latestVersion;
    return this.#db.prepare("SELECT * FROM policy_versions WHERE name = ? ORDER BY version")
      .all(name).map((row) => versionFromRow(row, latest));
  }

  /** Version `version` of `name`, or its latest when none is given. */
  version(name: string, version?: number): PolicyVersionRecord {
    const latest = this.get(name).latestVersion;
    const wanted = version ?? latest;
    if (wanted === null) {
      throw new NotFoundError(
        `policy "${name}" has no latest version yet: name one (${name}@N) or promote one`,
      );
    }
    const row = this.#row(name, wanted);
    if (row === undefined) throw new NotFoundError(`policy "${name}" has no version ${wanted}`);
    return versionFromRow(row, latest);
  }

  /** The version run `runId` registered, if any. */
  byRun(runId: string): PolicyVersionRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM policy_versions WHERE run_id = ?").get(runId) as
      | Row
      | undefined;
    return row === undefined ? undefined : versionFromRow(row, this.#latestOf(String(row.name)));
  }

  /** Every change of `name`'s latest, oldest first. */
  events(name: string): PolicyEvent[] {
    this.get(name);
    return this.#db.prepare("SELECT * FROM policy_events WHERE name = ? ORDER BY seq").all(name)
      .map(eventFromRow);
  }

  /** Makes `version` latest by hand (an `invalid_state` error when it already is). */
  promote(name: string, version: number, reason = "promoted by hand", now = Date.now()) {
    return immediateTransaction(this.#db, () => {
      const target = this.version(name, version);
      const latest = this.#latestOf(name);
      if (latest === version) {
        throw new RunStateError(`version ${version} is already the latest of "${name}"`);
      }
      return this.#setLatest(name, latest, target.version, "promoted", reason, { now });
    });
  }

  /**
   * Makes latest the version that was latest before the current one: promotions stack up and
   * each rollback takes one off, so two rollbacks after v1, v2, v3 were promoted leave v1.
   */
  rollback(name: string, reason = "rolled back by hand", now = Date.now()): PolicyEvent {
    return immediateTransaction(this.#db, () => {
      const stack: number[] = [];
      for (const event of this.events(name)) {
        if (event.type === "promoted") stack.push(event.toVersion);
        else stack.pop();
      }
      if (stack.length < 2) {
        throw new RunStateError(
          `policy "${name}" has no earlier latest to roll back to (promote a version instead)`,
        );
      }
      return this.#setLatest(name, stack.at(-1)!, stack.at(-2)!, "rolled_back", reason, { now });
    });
  }

  #setLatest(
    name: string,
    from: number | null,
    to: number,
    type: PolicyEvent["type"],
    reason: string,
    { runId = null, now }: { runId?: string | null; now: number },
  ): PolicyEvent {
    this.#db.prepare("UPDATE policies SET latest_version = ?, updated_at = ? WHERE name = ?")
      .run(to, now, name);
    const row = this.#db.prepare(
      `INSERT INTO policy_events (name, seq, type, from_version, to_version, reason, run_id, time)
       SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM policy_events WHERE name = ?
       RETURNING *`,
    ).get(name, type, from, to, reason, runId, now, name) as Row;
    return eventFromRow(row);
  }

  #latestOf(name: string): number | null {
    const row = this.#db.prepare("SELECT latest_version FROM policies WHERE name = ?").get(name) as
      | Row
      | undefined;
    return row === undefined ? null : num(row.latest_version);
  }

  #nextVersion(name: string): number {
    const row = this.#db.prepare(
      "SELECT coalesce(max(version), 0) + 1 AS next FROM policy_versions WHERE name = ?",
    ).get(name) as Row;
    return Number(row.next);
  }

  #row(name: string, version: number): Row | undefined {
    return this.#db.prepare("SELECT * FROM policy_versions WHERE name = ? AND version = ?")
      .get(name, version) as Row | undefined;
  }

  #policyFromRow(row: Row): PolicyRecord {
    return {
      name: String(row.name),
      latestVersion: num(row.latest_version),
      versions: Number(row.versions),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }
}
