/**
 * `deno task omiga schedules add|list|rm`: cron schedules that submit workflow runs (fired by
 * `worker` and by the server).
 *
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import { Scheduler } from "../../workflows/mod.ts";
import type { Command } from "./command.ts";
import { parseFlags } from "./flags.ts";
import { openEngine } from "./workflow_engine.ts";

function when(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString();
}

/** Takes `--name value` (or `--name=value`) out of `args`. */
function takeFlag(args: string[], name: string): string | undefined {
  const index = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (index < 0) return undefined;
  const [, inline] = args[index].split(/=(.*)/s, 2);
  const value = inline ?? args[index + 1];
  args.splice(index, inline === undefined ? 2 : 1);
  if (value === undefined) throw new ValidationError(`--${name} needs a value`);
  return value;
}

export const schedulesCommand: Command = {
  name: "schedules",
  summary: "add, list and remove cron schedules",
  usage: 'schedules add ID --cron "0 3 * * *" --workflow NAME [--timezone TZ] [--param value ...]' +
    " | list [--json] | rm ID",
  async run(args) {
    const [verb, ...rest] = args;
    const engine = openEngine();
    const scheduler = new Scheduler(engine);
    switch (verb) {
      case "add": {
        const [id, ...flags] = rest;
        if (id === undefined || id.startsWith("--")) {
          throw new ValidationError("schedules add needs a schedule id");
        }
        const cron = takeFlag(flags, "cron");
        const workflowName = takeFlag(flags, "workflow");
        const timezone = takeFlag(flags, "timezone");
        if (cron === undefined) throw new ValidationError("schedules add needs --cron");
        if (workflowName === undefined) throw new ValidationError("schedules add needs --workflow");
        const workflow = engine.registry.get(workflowName);
        const schedule = await scheduler.addChecked({
          id,
          cron,
          timezone,
          workflow: workflow.name,
          params: parseFlags(workflow, flags),
        });
        console.log(`schedule ${schedule.id} added; next run ${when(schedule.nextRunAt)}`);
        return 0;
      }
      case "list": {
        const schedules = scheduler.list();
        if (rest.includes("--json")) console.log(JSON.stringify(schedules, null, 2));
        else if (schedules.length === 0) console.log("no schedules");
        else {
          for (const s of schedules) {
            console.log(
              `${s.id}  "${s.cron}"${s.timezone ? ` (${s.timezone})` : ""}  ${s.workflow}  ` +
                `${JSON.stringify(s.params)}  next ${when(s.nextRunAt)}  last run ${
                  s.lastRunId ?? "-"
                }${s.enabled ? "" : "  (disabled)"}`,
            );
          }
        }
        return 0;
      }
      case "rm": {
        const id = rest[0];
        if (id === undefined) throw new ValidationError("schedules rm needs a schedule id");
        scheduler.remove(id);
        console.log(`schedule ${id} removed`);
        return 0;
      }
      default:
        throw new ValidationError(`unknown schedules command "${verb ?? ""}"; use add, list or rm`);
    }
  },
};
