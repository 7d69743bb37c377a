/**
 * Headless Chromium for browser tests: Debian's `chromium`, driven by playwright-core. Tests
 * that need it are ignored where no Chromium is installed, unless OMIGA_REQUIRE_BROWSER=1 (CI
 * sets it, having installed Chromium), in which case they fail.
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium executable, if one is installed. */
export function chromiumPath(): string | undefined {
  const configured = Deno.env.get("OMIGA_CHROMIUM");
  for (const path of configured ? [configured] : CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether browser tests should be skipped here. */
export function browserUnavailable(): boolean {
  return chromiumPath() === undefined && Deno.env.get("OMIGA_REQUIRE_BROWSER") !== "1";
}

/** Launches headless Chromium with the flags a closed network needs. */
export function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) {
    throw new Error("no Chromium found: apt-get install chromium (or set OMIGA_CHROMIUM)");
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Each report chart (`figure.chart`) on the page with the number of shapes it drew: Plot puts
 * each mark in a `<g aria-label>`; a shape counts when it has a real size on screen.
 */
export function chartMarks(page: Page): Promise<{ name: string; drawn: number }[]> {
  return page.$$eval("figure.chart", (figures) =>
    figures.map((figure) => {
      const shapes = [
        ...figure.querySelectorAll("svg g[aria-label] :is(path, rect, circle, line)"),
      ];
      const drawn = shapes.filter((shape) => {
        const box = (shape as SVGGraphicsElement).getBoundingClientRect();
        return box.width > 0 || box.height > 0;
      });
      return { name: figure.getAttribute("data-chart") ?? "", drawn: drawn.length };
    }));
}
