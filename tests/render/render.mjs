// Renders Mermaid texts with the real Mermaid library in headless Chromium, and opens
// self-contained HTML pages offline; called by tests/picture_render.rs.
//
//   node tests/render/render.mjs job.json
//
// job.json: {
//   "modules":  "<folder with node_modules/mermaid and node_modules/puppeteer-core>",
//   "chromium": "/usr/bin/chromium",
//   "diagrams": [{ "name": "...", "text": "flowchart TD ..." }],
//   "shots":    [{ "diagram": "<name>", "png": "<path>" }],
//   "pages":    [{ "name": "...", "html": "<path>", "png": "<path>" }]
// }
// Prints one JSON line per diagram and page ({"name", "ok", "error"?}) and exits 1 when any
// failed. Every request that is not file: or data: is refused, so a page that needs the
// network fails here.

import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const require = createRequire(join(job.modules, "package.json"));
const puppeteer = require("puppeteer-core");
const mermaidJs = join(job.modules, "node_modules", "mermaid", "dist", "mermaid.min.js");

const profile = mkdtempSync(join(tmpdir(), "mermaid-render-"));
const browser = await puppeteer.launch({
  executablePath: job.chromium,
  headless: true,
  userDataDir: profile,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
  ],
});

let failed = 0;
const report = (r) => {
  if (!r.ok) failed += 1;
  console.log(JSON.stringify(r));
};

async function offline(page, blocked) {
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const url = req.url();
    if (url.startsWith("file:") || url.startsWith("data:") || url.startsWith("about:")) {
      req.continue();
    } else {
      blocked.push(url);
      req.abort();
    }
  });
}

try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000, deviceScaleFactor: 2 });
  const blocked = [];
  await offline(page, blocked);
  await page.setContent("<!DOCTYPE html><html><body><div id='shot'></div></body></html>");
  await page.addScriptTag({ path: mermaidJs });
  await page.evaluate(() => {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  });
  for (const [i, d] of job.diagrams.entries()) {
    const result = await page.evaluate(
      async (text, id) => {
        try {
          await window.mermaid.parse(text);
          const { svg } = await window.mermaid.render(id, text);
          if (!svg.includes("<svg")) return { ok: false, error: "render gave no <svg>" };
          if (svg.includes("Syntax error")) return { ok: false, error: "Mermaid drew its error picture" };
          return { ok: true, bytes: svg.length };
        } catch (e) {
          return { ok: false, error: String((e && e.message) || e) };
        }
      },
      d.text,
      `d${i}`,
    );
    report({ name: d.name, ...result });
  }
  for (const s of job.shots || []) {
    const d = job.diagrams.find((x) => x.name === s.diagram);
    if (!d) {
      report({ name: `shot ${s.diagram}`, ok: false, error: "no such diagram" });
      continue;
    }
    await page.evaluate(async (text) => {
      const { svg } = await window.mermaid.render("shotsvg", text);
      const div = document.getElementById("shot");
      div.innerHTML = svg;
      div.style.display = "inline-block";
      div.style.padding = "12px";
      div.style.background = "#fff";
    }, d.text);
    const el = await page.$("#shot");
    await el.screenshot({ path: s.png });
    report({ name: `shot ${s.diagram}`, ok: true, png: s.png });
  }
  for (const p of job.pages || []) {
    const pageBlocked = [];
    const tab = await browser.newPage();
    await tab.setViewport({ width: 1600, height: 1000, deviceScaleFactor: 1 });
    await offline(tab, pageBlocked);
    const errors = [];
    tab.on("pageerror", (e) => errors.push(String(e)));
    await tab.goto(pathToFileURL(p.html).href, { waitUntil: "load" });
    const svgs = await tab.evaluate(() => document.querySelectorAll("svg").length);
    if (p.png) await tab.screenshot({ path: p.png, fullPage: true });
    const ok = svgs > 0 && pageBlocked.length === 0 && errors.length === 0;
    report({
      name: `page ${p.name}`,
      ok,
      ...(ok ? {} : { error: `svg elements ${svgs}, network requests ${JSON.stringify(pageBlocked)}, errors ${JSON.stringify(errors)}` }),
    });
    await tab.close();
  }
  if (blocked.length) report({ name: "network", ok: false, error: `requests: ${blocked.join(" ")}` });
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
