// The dashboard's script: what changes while a page is open. Pages are rendered on the server;
// this follows a run's event stream (Server-Sent Events from /v1/runs/:id/events) to draw its
// progress and charts (uPlot, loaded before this module), refreshes tables by fetching them
// again as fragments, and sends the buttons' requests to the /v1 API with the page's CSRF token.
// Plain JavaScript served as it is: the server has no build step.

const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

/** Calls the /v1 API; throws the server's error message when the answer is not 2xx. */
async function api(method, path, body) {
  const headers = { "X-CSRF-Token": csrf };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(json?.error?.message ?? `${response.status}`);
  return json;
}

/** Replaces element `id` with the same fragment fetched again (`?fragment=name`). */
async function refreshFragment(id, name) {
  const element = document.getElementById(id);
  if (element === null) return;
  const url = new URL(location.href);
  url.searchParams.set("fragment", name);
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) return;
  const checked = new Set(
    [...element.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value),
  );
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  const fresh = template.content.firstElementChild;
  if (fresh === null) return;
  for (const box of fresh.querySelectorAll("input[type=checkbox]")) {
    box.checked = checked.has(box.value);
  }
  element.replaceWith(fresh);
}

function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/**
 * A scale range for uPlot: the data's with a margin, widened around the middle when the data
 * hardly varies (a constant loss, a weight ESS of 0.9999996 to 1): uPlot cannot place ticks on
 * a range that is empty or tiny next to its values.
 */
function padded(_plot, min, max) {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const size = Math.max(Math.abs(min), Math.abs(max));
  if (max - min <= size * 1e-3) {
    const middle = (min + max) / 2;
    const pad = size * 0.05 || 1;
    return [middle - pad, middle + pad];
  }
  return globalThis.uPlot.rangeNum(min, max, 0.1, true);
}

const PALETTE = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2"];

/**
 * One chart: named series of (x, y) points, drawn with uPlot on the next animation frame after
 * points arrive. The figure's `data-points` attribute counts the points drawn.
 */
class LiveChart {
  constructor(figure, xLabel) {
    this.figure = figure;
    this.xLabel = xLabel;
    this.series = new Map(); // label -> Map(x -> y)
    this.plot = null;
    this.labels = [];
    this.pending = false;
  }

  add(label, x, y) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    let points = this.series.get(label);
    if (points === undefined) this.series.set(label, points = new Map());
    points.set(x, y);
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => this.draw());
    }
  }

  draw() {
    this.pending = false;
    const labels = [...this.series.keys()];
    const xs = [...new Set(labels.flatMap((label) => [...this.series.get(label).keys()]))]
      .sort((a, b) => a - b);
    const data = [
      xs,
      ...labels.map((label) => xs.map((x) => this.series.get(label).get(x) ?? null)),
    ];
    const points = labels.reduce((n, label) => n + this.series.get(label).size, 0);
    this.figure.dataset.points = String(points);
    this.figure.classList.toggle("has-data", points > 0);
    const host = this.figure.querySelector(".plot");
    if (this.plot !== null && labels.join("\n") === this.labels.join("\n")) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.labels = labels;
    const width = Math.max(320, host.clientWidth || 460);
    this.plot = new globalThis.uPlot(
      {
        width,
        height: 220,
        // A scale with one value (the first point, a constant loss) gets room around it:
        // uPlot cannot place ticks on an empty range.
        scales: { x: { time: false, range: padded }, y: { range: padded } },
        axes: [{ label: this.xLabel }, {}],
        series: [
          { label: this.xLabel },
          ...labels.map((label, i) => ({
            label,
            stroke: PALETTE[i % PALETTE.length],
            width: 1.5,
            spanGaps: true,
            points: { show: xs.length < 60 },
          })),
        ],
      },
      data,
      host,
    );
  }
}

/** The charts of a page, by name (`data-chart` of each figure). */
function chartsOf(root) {
  const charts = {};
  for (const figure of root.querySelectorAll("figure.chart")) {
    charts[figure.dataset.chart] = new LiveChart(figure, "iteration");
  }
  return charts;
}

const STATE_EVENTS = [
  "run.started",
  "run.resumed",
  "run.annotated",
  "step.started",
  "step.succeeded",
  "step.failed",
  "step.retrying",
  "step.released",
  "step.skipped",
  "step.cancelled",
];
const TERMINAL_EVENTS = ["run.succeeded", "run.failed", "run.cancelled"];

/** Follows run `runId`'s events, calling `onEvent` with each (parsed) until the run ends. */
function followRun(runId, onEvent, onEnd) {
  const source = new EventSource(`/v1/runs/${encodeURIComponent(runId)}/events`);
  const handle = (message) => onEvent(JSON.parse(message.data));
  for (const type of ["step.progress", ...STATE_EVENTS]) source.addEventListener(type, handle);
  for (const type of TERMINAL_EVENTS) {
    source.addEventListener(type, (message) => {
      source.close(); // the stream ends here; do not let the browser reconnect
      handle(message);
      onEnd?.(type);
    });
  }
  return source;
}

/** The live progress line of each running step. */
function showProgress(panel, event) {
  const id = `progress-${event.stepId}`;
  let row = document.getElementById(id);
  if (event.type !== "step.progress") {
    if (event.type !== "step.started") row?.remove();
    return;
  }
  const p = event.payload;
  if (row === null) {
    row = document.createElement("div");
    row.id = id;
    row.className = "progress-row";
    row.innerHTML =
      '<span class="step"></span> <progress></progress> <span class="numbers"></span>';
    row.querySelector(".step").textContent = event.stepId;
    panel.append(row);
  }
  const bar = row.querySelector("progress");
  if (p.total) {
    bar.max = p.total;
    bar.value = p.done;
  }
  const parts = [`${p.done}${p.total ? `/${p.total}` : ""} ${p.unit ?? ""}`];
  if (p.total) parts.push(`${((100 * p.done) / p.total).toFixed(0)}%`);
  if (p.perSecond) parts.push(`${p.perSecond.toFixed(1)} ${p.unit ?? "item"}/s`);
  if (p.etaSeconds !== undefined && p.done < (p.total ?? Infinity)) {
    parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  }
  row.querySelector(".numbers").textContent = parts.join(" · ");
}

const EVALUATION_METRICS = new Set(["teamReturn", "score"]);

/** Puts a progress event's numbers on the run page's charts. */
function chartProgress(charts, event, labelOf) {
  const { done, metrics, message } = event.payload;
  if (metrics === undefined) return;
  if (message === "evaluated") {
    const value = metrics.score ?? metrics.teamReturn;
    charts.evaluation?.add(labelOf(metrics.score !== undefined ? "score" : "return"), done, value);
    return;
  }
  for (const [name, value] of Object.entries(metrics)) {
    if (EVALUATION_METRICS.has(name)) continue;
    const chart = name === "weightEss" ? charts.weightEss : charts.losses;
    chart?.add(labelOf(name), done, value);
  }
}

function debounce(run, ms) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
}

function runPage(root) {
  const runId = root.dataset.run;
  const onlyStep = root.dataset.step || undefined;
  const activeAtLoad = root.dataset.state === "queued" || root.dataset.state === "running";
  const charts = chartsOf(root);
  const panel = document.getElementById("progress");
  const stepsWithMetrics = new Set();
  const refresh = debounce(() => {
    refreshFragment("steps", "steps");
    refreshFragment("cells", "cells");
  }, 300);
  for (const button of root.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await api("POST", `/v1/runs/${runId}/${button.dataset.action}`);
        location.reload();
      } catch (error) {
        button.disabled = false;
        alert(`${button.dataset.action} failed: ${error.message}`);
      }
    });
  }
  followRun(runId, (event) => {
    if (onlyStep !== undefined && event.stepId !== null && event.stepId !== onlyStep) return;
    if (event.stepId !== null) showProgress(panel, event);
    if (event.type === "step.progress") {
      if (event.payload.metrics !== undefined) stepsWithMetrics.add(event.stepId);
      const labelOf = (name) => stepsWithMetrics.size > 1 ? `${name} · ${event.stepId}` : name;
      chartProgress(charts, event, labelOf);
    } else {
      refresh();
    }
  }, () => {
    panel.replaceChildren();
    // Show what the run produced (summary, artifacts): the page as rendered now.
    if (activeAtLoad) setTimeout(() => location.reload(), 500);
    else settleSteps();
  });
}

/**
 * After a run ends, a step can still be winding down (a cancelled step stops at its next
 * check): refresh the steps until none is running, for a minute at most.
 */
function settleSteps(triesLeft = 40) {
  if (triesLeft === 0 || document.querySelector('#steps [data-state="running"]') === null) return;
  setTimeout(async () => {
    await refreshFragment("steps", "steps");
    settleSteps(triesLeft - 1);
  }, 1500);
}

function comparePage(root) {
  const charts = chartsOf(root);
  for (const runId of root.dataset.runs.split(",")) {
    const label = runId.slice(0, 8);
    followRun(runId, (event) => {
      if (event.type !== "step.progress" || event.payload.metrics === undefined) return;
      const { done, metrics, message } = event.payload;
      if (message === "evaluated") {
        charts.evaluation.add(label, done, metrics.score ?? metrics.teamReturn);
      } else {
        if (metrics.weightEss !== undefined) charts.weightEss.add(label, done, metrics.weightEss);
        if (metrics.policy !== undefined) charts.policy.add(label, done, metrics.policy);
      }
    });
  }
}

function runsPage() {
  setInterval(() => {
    if (!document.hidden) refreshFragment("runs-table", "table");
  }, 2000);
}

function filterForm(form) {
  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const output = form.querySelector("output");
    const fields = new FormData(form);
    const body = { filter: String(fields.get("filter")) };
    if (fields.get("name")) body.name = String(fields.get("name"));
    output.textContent = "storing…";
    try {
      const manifest = await api(
        "POST",
        `/v1/datasets/${encodeURIComponent(form.dataset.dataset)}/filter`,
        body,
      );
      location.href = `/datasets/${encodeURIComponent(manifest.id)}`;
    } catch (error) {
      output.textContent = error.message;
      output.classList.add("error");
    }
  });
}

const run = document.getElementById("run");
if (run !== null) runPage(run);
const compare = document.getElementById("compare");
if (compare !== null) comparePage(compare);
if (document.getElementById("runs-table") !== null) runsPage();
const filter = document.getElementById("filter-form");
if (filter !== null) filterForm(filter);
