/**
 * `deno task omiga restate up [--nodes N] [--dir DIR] [--identity] [--endpoint URL]` starts a
 * local Restate (one node, or a cluster of N on loopback) from the pinned npm package and keeps
 * it running until Ctrl-C; `--identity` makes it sign its requests to endpoints (a key pair kept
 * in DIR); `--endpoint` registers an omiga-flow endpoint once it answers.
 * `deno task omiga restate register [--endpoint URL]` registers an endpoint with the Restate
 * admin at `OMIGA_RESTATE_ADMIN`. See docs/restate.md.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ValidationError } from "../../core/errors.ts";
import { omigaHome } from "../../workflows/mod.ts";
import { restateUrls } from "../../workflows/restate/config.ts";
import { requestIdentity } from "../../workflows/restate/identity.ts";
import { registerDeployment, startLocalRestate } from "../../workflows/restate/local.ts";
import type { Command } from "./command.ts";

const DEFAULT_ENDPOINT = "http://127.0.0.1:8787/restate";

async function register(adminUrl: string, endpoint: string): Promise<void> {
  const deployment = await registerDeployment(adminUrl, endpoint);
  console.log(
    `registered ${endpoint} with ${adminUrl}: deployment ${deployment.id} ` +
      `(${deployment.services.join(", ")})`,
  );
}

export const restateCommand: Command = {
  name: "restate",
  summary: "start a local Restate (up) or register an endpoint with one (register)",
  usage:
    "restate up [--nodes 1] [--dir DIR] [--identity] [--endpoint URL] | restate register [--endpoint URL]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        nodes: { type: "string", default: "1" },
        dir: { type: "string" },
        endpoint: { type: "string" },
        identity: { type: "boolean", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    const [verb] = positionals;
    if (verb === "register") {
      await register(restateUrls().admin, values.endpoint ?? DEFAULT_ENDPOINT);
      return 0;
    }
    if (verb !== "up") {
      throw new ValidationError(
        verb === undefined
          ? "restate needs a command: up or register"
          : `unknown restate command "${verb}"; use up or register`,
      );
    }
    const nodes = Number(values.nodes);
    const dir = values.dir ?? join(omigaHome(), "restate");
    const identity = values.identity ? await requestIdentity(dir) : undefined;
    const local = await startLocalRestate({
      dir,
      nodes,
      ...(identity ? { identityKeyFile: identity.privateKeyFile } : {}),
    });
    console.log(`Restate ${nodes === 1 ? "node" : `cluster of ${nodes} nodes`} up in ${dir}`);
    for (const node of local.nodes) {
      console.log(
        `  ${node.name}: ingress ${node.urls.ingress}, admin ${node.urls.admin}, log ${node.log}`,
      );
    }
    console.log(
      `export OMIGA_ENGINE=restate OMIGA_RESTATE_INGRESS=${local.urls.ingress} ` +
        `OMIGA_RESTATE_ADMIN=${local.urls.admin}` +
        (identity ? ` OMIGA_RESTATE_IDENTITY_KEYS=${identity.publicKey}` : ""),
    );
    if (identity) console.log(`requests to endpoints are signed with ${identity.privateKeyFile}`);
    if (values.endpoint !== undefined) await register(local.urls.admin, values.endpoint);
    const stopped = Promise.withResolvers<void>();
    const stop = () => {
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
      console.log("stopping Restate");
      local.stop().then(() => stopped.resolve());
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    await stopped.promise;
    return 0;
  },
};
