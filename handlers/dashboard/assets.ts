/**
 * The dashboard's static files, served by the app itself so that nothing loads from a CDN:
 * the chart library (uPlot) and the API reference's viewer (Scalar's standalone bundle) from
 * their npm packages, and the dashboard's own script and style sheet from `client/`. Each is
 * read once, kept in memory and sent with an ETag.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";

/** Where an asset comes from: a file of an npm package, or of this folder's `client/`. */
type AssetSource = { package: string; file: string } | { local: string };

/** The files under `/assets/`, by name. */
export const ASSETS: Readonly<Record<string, AssetSource & { type: string }>> = {
  "uplot.js": { package: "uplot", file: "dist/uPlot.iife.min.js", type: "text/javascript" },
  "uplot.css": { package: "uplot", file: "dist/uPlot.min.css", type: "text/css" },
  "api-reference.js": {
    package: "@scalar/api-reference",
    file: "dist/browser/standalone.js",
    type: "text/javascript",
  },
  "dashboard.js": { local: "client/dashboard.js", type: "text/javascript" },
  "dashboard.css": { local: "client/dashboard.css", type: "text/css" },
};

const require = createRequire(import.meta.url);

/**
 * The folder of installed npm package `name`: its entry point resolved as Node would, then the
 * nearest folder above it whose `package.json` is that package's (packages' `exports` often
 * hide the file wanted).
 */
export function packageRoot(name: string): string {
  let dir = dirname(require.resolve(name));
  while (true) {
    try {
      const manifest = JSON.parse(Deno.readTextFileSync(join(dir, "package.json")));
      if (manifest.name === name) return dir;
    } catch {
      // no package.json here
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`npm package ${name} is not installed (deno install)`);
    dir = parent;
  }
}

function assetPath(source: AssetSource): string {
  if ("local" in source) return new URL(source.local, import.meta.url).pathname;
  return join(packageRoot(source.package), source.file);
}

interface LoadedAsset {
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
}

const loaded = new Map<string, LoadedAsset>();

/** The bytes and ETag of asset `name` (read on first use). */
export function loadAsset(name: string): LoadedAsset {
  let asset = loaded.get(name);
  if (asset === undefined) {
    const bytes = Deno.readFileSync(assetPath(ASSETS[name]));
    const etag = `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 22)}"`;
    loaded.set(name, asset = { bytes, etag });
  }
  return asset;
}

/** Adds `GET /assets/:name` to `app`. */
export function addAssetRoutes(app: OpenAPIHono): void {
  // Browsers ask for it on every page; there is none.
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/assets/:name", (c) => {
    const name = c.req.param("name");
    const source = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (source === undefined) return c.notFound();
    const { bytes, etag } = loadAsset(name);
    const headers = {
      "Content-Type": `${source.type}; charset=utf-8`,
      "Cache-Control": "no-cache",
      "ETag": etag,
      "X-Content-Type-Options": "nosniff",
    };
    if (c.req.header("If-None-Match") === etag) return c.body(null, 304, headers);
    return c.body(bytes, 200, headers);
  });
}
