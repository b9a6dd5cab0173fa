// Open a threadlens HTML report in headless Chromium (Debian's) as a
// moderator would, and check it:
//  * no console or page error, no network request;
//  * the first screen (1280×900) shows the summary and the start of the
//    moderation queue without scrolling;
//  * a click on a queue row scrolls to its comment in its thread tree,
//    opens the tree along the way and highlights the comment; the comment's
//    "queue #k" link leads back to the row;
//  * the filters answer (time from input to the re-laid-out page) and hide
//    rows; the thread table sorts;
//  * the time to load the page.
// Writes a screenshot of the first screen (and SHOT-comment.png: the
// screen a click on the first queue row leads to).
// usage: node check_report.mjs report.html screenshot.png [--max-load-ms N] [--max-filter-ms N]
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const args = process.argv.slice(2);
const [report, shot] = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const maxLoad = opt("--max-load-ms", 3000);
const maxFilter = opt("--max-filter-ms", 200);
if (!report || !shot) {
  console.error("usage: node check_report.mjs report.html screenshot.png [--max-load-ms N] [--max-filter-ms N]");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const problems = [];
const requests = [];
page.on("console", (m) => {
  if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
});
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("request", (r) => {
  if (!r.url().startsWith("file:")) requests.push(r.url());
});
const t0 = Date.now();
await page.goto(pathToFileURL(path.resolve(report)).href, { waitUntil: "load" });
// The page answers a script call once loading is done (not hung).
await page.evaluate(() => document.body.offsetHeight);
const loadMs = Date.now() - t0;
const nav = await page.evaluate(() => {
  const e = performance.getEntriesByType("navigation")[0];
  return e ? Math.round(e.loadEventEnd) : null;
});

// First screen.
const box = async (sel) => (await page.locator(sel).first().count()) ? await page.locator(sel).first().boundingBox() : null;
const summary = await box("#summary");
const firstRow = await box("#queue-table tbody tr");
const firstScreen = {
  summaryVisible: !!summary && summary.y >= 0 && summary.y < 900,
  queueStartsAt: firstRow ? Math.round(firstRow.y) : null,
  queueVisible: !!firstRow && firstRow.y < 900,
  queueRows: await page.locator("#queue-table tbody tr").count(),
};
await page.screenshot({ path: shot });

// Queue row → its comment in the tree, and back.
let click = null;
const row = page.locator("#queue-table tbody tr[data-go]").first();
if (await row.count()) {
  const target = await row.getAttribute("data-go");
  await row.locator("td").nth(1).click();
  const node = page.locator(`[id="${target}"]`);
  const nb = await node.boundingBox();
  await page.screenshot({ path: shot.replace(/\.png$/, "") + "-comment.png" });
  const state = await node.evaluate((el) => {
    let closed = 0;
    for (let d = el.parentElement; d; d = d.parentElement) if (d.tagName === "DETAILS" && !d.open) closed++;
    return { hit: el.classList.contains("hit"), closedAncestors: closed, hash: location.hash };
  });
  let back = null;
  const link = node.locator("a[href^='#q']").first();
  if (await link.count()) {
    const q = (await link.getAttribute("href")).slice(1);
    await link.click();
    const qb = await page.locator(`[id="${q}"]`).boundingBox();
    back = { row: q, hit: await page.locator(`[id="${q}"]`).evaluate((el) => el.classList.contains("hit")), inView: !!qb && qb.y >= 0 && qb.y < 900 };
  }
  click = { target, inView: !!nb && nb.y >= 0 && nb.y + Math.min(nb.height, 100) <= 900, ...state, back };
}

// Filters: time from an input event to the re-laid-out page.
const filter = async (name, value) =>
  page.evaluate(
    ([name, value]) => {
      const f = document.getElementById("filters");
      const el = f.elements[name];
      document.body.offsetHeight; // layout left from earlier actions is not the filter's
      const t = performance.now();
      el.value = value;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      document.body.offsetHeight;
      const ms = performance.now() - t;
      const shown = document.querySelectorAll("#queue-table tbody tr:not([hidden])").length;
      return { ms: Math.round(ms * 10) / 10, shown };
    },
    [name, value],
  );
let filters = null;
if (await page.locator("#filters").count()) {
  const all = await filter("min", "");
  const high = await filter("min", "0.9");
  const cleared = await filter("min", "");
  const search = await filter("q", "the");
  await filter("q", "");
  filters = { all: all.shown, allMs: all.ms, minP09: high, cleared: cleared.shown, clearedMs: cleared.ms, searchThe: search, maxMs: Math.max(all.ms, high.ms, cleared.ms, search.ms) };
}

// Sorting: click "comments" twice and check the column is ordered.
const header = page.locator("#threads-table thead th", { hasText: /^comments$/ });
let sorted = null;
if ((await header.count()) === 1) {
  await header.click();
  await header.click();
  const idx = await header.evaluate((th) => th.cellIndex);
  const vals = await page.$$eval(`#threads-table tbody tr td:nth-child(${idx + 1})`, (tds) => tds.map((t) => parseFloat(t.textContent)));
  sorted = vals.every((v, i) => i === 0 || vals[i - 1] >= v);
}
await browser.close();
const result = { report, screenshot: shot, loadMs, loadEventEndMs: nav, firstScreen, click, filters, sortedDescending: sorted, problems, externalRequests: requests };
console.log(JSON.stringify(result));
const fail = [];
if (problems.length || requests.length) fail.push("errors or network requests");
if (!firstScreen.summaryVisible || !firstScreen.queueVisible) fail.push("summary and queue not on the first screen");
if (firstScreen.queueRows > 0 && (!click || !click.inView || !click.hit || click.closedAncestors)) fail.push("a queue row does not lead to its comment");
if (click && click.back && (!click.back.hit || !click.back.inView)) fail.push("the comment does not lead back to its queue row");
if (filters && (filters.maxMs > maxFilter || (filters.all > 0 && filters.cleared !== filters.all))) fail.push(`filters slow or wrong (${filters.maxMs} ms)`);
if (loadMs > maxLoad) fail.push(`load ${loadMs} ms > ${maxLoad} ms`);
if (sorted === false) fail.push("thread table does not sort");
if (fail.length) {
  console.error(`check_report: ${report}: ${fail.join("; ")}`);
  process.exit(1);
}
