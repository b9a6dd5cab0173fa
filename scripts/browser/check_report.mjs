// Open a threadlens HTML report in headless Chromium (Debian's), fail on any
// console error or page error, check that the thread tree view is visible
// and the thread table sorts, and write a full-page screenshot.
// usage: node check_report.mjs report.html screenshot.png
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [report, shot] = process.argv.slice(2);
if (!report || !shot) {
  console.error("usage: node check_report.mjs report.html screenshot.png");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
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
await page.goto(pathToFileURL(path.resolve(report)).href, { waitUntil: "load" });
const tree = page.locator("ul.tree").first();
const treeVisible = await tree.isVisible();
const nodes = await page.locator("ul.tree .node").count();
const visibleNodes = await page.locator("details[open] ul.tree .node").count();
// Sorting: click "comments" twice and check the column is ordered.
const header = page.locator("#threads thead th", { hasText: /^comments$/ });
let sorted = null;
if ((await header.count()) === 1) {
  await header.click();
  await header.click();
  const idx = await header.evaluate((th) => th.cellIndex);
  const vals = await page.$$eval(`#threads tbody tr td:nth-child(${idx + 1})`, (tds) => tds.map((t) => parseFloat(t.textContent)));
  sorted = vals.every((v, i) => i === 0 || vals[i - 1] >= v);
}
await page.screenshot({ path: shot, fullPage: true });
await browser.close();
const result = { report, screenshot: shot, treeVisible, nodes, visibleNodes, sortedDescending: sorted, problems, externalRequests: requests };
console.log(JSON.stringify(result));
if (!treeVisible || visibleNodes === 0 || problems.length || requests.length || sorted === false) process.exit(1);
