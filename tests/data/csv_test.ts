import { join } from "node:path";
import { DatasetError } from "../../data/errors.ts";
import { exportDataset } from "../../data/export.ts";
import { importCsv, readCsvDataset } from "../../data/importers/csv.ts";
import { loadDataset, saveDataset } from "../../data/store.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { arraysOf, makeDataset, makeInfo, snapshot, withTempDir } from "./fixtures.ts";

const HEADER = "episode,t,agent,obs_0,obs_1,state_0,action_0,reward,done,truncated";

/** Lines for 2 agents: episode 0 (t 0..2, done), episode 1 (t 0..1, truncated). */
function goodLines(): string[] {
  const lines: string[] = [];
  const steps: [number, number, number, number][] = [[0, 0, 0, 0], [0, 1, 0, 0], [0, 2, 1, 0], [
    1,
    0,
    0,
    0,
  ], [1, 1, 0, 1]];
  for (const [episode, t, done, truncated] of steps) {
    for (let agent = 0; agent < 2; agent++) {
      const obs = [episode + t * 0.5, agent - 0.25];
      lines.push(
        [episode, t, agent, ...obs, t * 0.125, agent === 0 ? 0.5 : -0.5, t + 1, done, truncated]
          .join(","),
      );
    }
  }
  return lines;
}

async function writeCsv(path: string, lines: string[], header = HEADER): Promise<void> {
  await Deno.writeTextFile(path, [header, ...lines].join("\n") + "\n");
}

Deno.test("a hand-written CSV file reads into the canonical layout, in (episode, t, agent) order", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "hand.csv");
    await writeCsv(path, goodLines().reverse());
    const { dataset } = await readCsvDataset(path);
    assertEquals(dataset.spec, {
      nAgents: 2,
      obsDim: 2,
      stateDim: 1,
      actionKind: "continuous",
      actDim: 1,
    });
    assertEquals(Array.from(dataset.episode), [0, 0, 0, 1, 1]);
    assertEquals(Array.from(dataset.t), [0, 1, 2, 0, 1]);
    assertEquals(Array.from(dataset.obs.subarray(0, 4)), [0, -0.25, 0, 0.75]);
    assertEquals(Array.from(dataset.action), [
      0.5,
      -0.5,
      0.5,
      -0.5,
      0.5,
      -0.5,
      0.5,
      -0.5,
      0.5,
      -0.5,
    ]);
    assertEquals(Array.from(dataset.reward), [1, 2, 3, 1, 2]);
    assertEquals(Array.from(dataset.done), [0, 0, 1, 0, 0]);
    assertEquals(Array.from(dataset.truncated), [0, 0, 0, 0, 1]);
  });
});

Deno.test("CSV export then import gives the same content (continuous and discrete)", async () => {
  await withTempDir(async (dir) => {
    for (const discrete of [false, true]) {
      const dataset = makeDataset([{ length: 5, end: "done" }, { length: 4, end: "truncated" }], {
        discrete,
        nAgents: 3,
      });
      const saved = await saveDataset(dataset, makeInfo(`csv-${discrete}`), {
        home: join(dir, "a"),
      });
      const path = join(dir, `out-${discrete}.csv`);
      await exportDataset(saved.id, path, "csv", { home: join(dir, "a") });
      const { manifest } = await importCsv(path, { home: join(dir, "b"), name: `csv-${discrete}` });
      assertEquals(manifest.contentHash, saved.contentHash);
      assertEquals(manifest.source, "csv");
      assertEquals(
        arraysOf((await loadDataset(manifest.id, { home: join(dir, "b") })).dataset),
        arraysOf(dataset),
      );
    }
  });
});

Deno.test("bad CSV files fail naming file, column and line, and leave the store unchanged", async () => {
  await withTempDir(async (dir) => {
    const home = join(dir, "home");
    await writeCsv(join(dir, "good.csv"), goodLines());
    await importCsv(join(dir, "good.csv"), { home });
    const before = await snapshot(home);
    const edit = (index: number, column: number, value: string) => {
      const lines = goodLines();
      const cells = lines[index].split(",");
      cells[column] = value;
      lines[index] = cells.join(",");
      return lines;
    };
    const discreteHeader =
      "episode,t,agent,obs_0,obs_1,state_0,action_0,reward,done,truncated,avail_0,avail_1,avail_2";
    const discreteLines = goodLines().map((line, i) => {
      const cells = line.split(",");
      cells[6] = String(i % 3);
      return [...cells, 1, 1, 1].join(",");
    });
    discreteLines[7] = discreteLines[7].replace(/1,1,1$/, i7(discreteLines[7]));
    const cases: [string, string[], string, string][] = [
      // Line numbers count the header as line 1.
      [
        "episode jumps",
        goodLines().filter((_, i) => i !== 2 && i !== 3),
        HEADER,
        "field t, line 4: expected t = 1 (episode 0 continues), got 2: the episode jumps",
      ],
      [
        "NaN reward",
        edit(4, 7, "nan").map((l, i) => (i === 5 ? l.replace(/,3,1,0$/, ",nan,1,0") : l)),
        HEADER,
        "field reward, line 6: expected a finite number, got NaN",
      ],
      [
        "action out of range",
        edit(3, 6, "-1.5"),
        HEADER,
        "field action_0, line 5 (agent 1): expected in [-1, 1]",
      ],
      [
        "infinite observation",
        edit(8, 4, "inf"),
        HEADER,
        "field obs_1, line 10 (agent 0): expected a finite number, got Infinity",
      ],
      [
        "team reward differs",
        edit(1, 7, "9"),
        HEADER,
        "field reward, line 3: expected the same reward for every agent",
      ],
      ["missing agent", goodLines().filter((_, i) => i !== 9), HEADER, "field agent"],
      [
        "empty field",
        edit(2, 3, ""),
        HEADER,
        "field obs_0, line 4: expected a value, got an empty field",
      ],
      [
        "not a number",
        edit(2, 3, "abc"),
        HEADER,
        "field obs_0, line 4: not the CSV long layout: expected a number",
      ],
      [
        "extra field",
        goodLines().map((l, i) => (i === 4 ? `${l},7` : l)),
        HEADER,
        "line 6: not the CSV long layout: expected 10 fields, found 11",
      ],
      [
        "unterminated quote",
        goodLines().map((l, i) => (i === 6 ? `"${l}` : l)),
        HEADER,
        "line 8: not the CSV long layout: a quoted field is not closed",
      ],
      [
        "unknown column",
        goodLines().map((l) => `${l},0`),
        `${HEADER},bonus`,
        'field bonus, line 1 (header): unexpected column "bonus"',
      ],
      ["gap in obs columns", goodLines(), HEADER.replace("obs_1", "obs_2"), "obs_1 is missing"],
      [
        "unavailable discrete action",
        discreteLines,
        discreteHeader,
        "field avail_1, line 9 (agent 1): expected the taken action 1 to be available",
      ],
    ];
    for (const [what, lines, header, text] of cases) {
      const path = join(dir, `${what.replaceAll(" ", "-")}.csv`);
      await writeCsv(path, lines, header);
      const error = await assertRejects(() => importCsv(path, { home }), DatasetError, text);
      assertEquals(error.code, "invalid_dataset", what);
      // The file, the field, the line and what was expected; none of the CSV reader's internals.
      for (const internal of ["input_", "Possible fixes", "Original Line", "strict_mode"]) {
        assertEquals(error.message.includes(internal), false, `${what}: ${error.message}`);
      }
      assertEquals(error.message.length < 400, true, `${what}: ${error.message}`);
      assertEquals(await snapshot(home), before, `${what}: the store is unchanged`);
    }
  });
});

/** Makes the taken action (1) of line index 7 unavailable. */
function i7(line: string): string {
  const action = Number(line.split(",")[6]);
  return [0, 1, 2].map((k) => (k === action ? 0 : 1)).join(",");
}

Deno.test("a .tsv file is read with tabs as the delimiter", async () => {
  await withTempDir(async (dir) => {
    await writeCsv(join(dir, "a.csv"), goodLines());
    await Deno.writeTextFile(
      join(dir, "a.tsv"),
      [HEADER, ...goodLines()].map((line) => line.replaceAll(",", "\t")).join("\n") + "\n",
    );
    const fromCsv = await readCsvDataset(join(dir, "a.csv"));
    const fromTsv = await readCsvDataset(join(dir, "a.tsv"));
    assertEquals(arraysOf(fromTsv.dataset), arraysOf(fromCsv.dataset));
  });
});
