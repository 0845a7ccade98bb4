// Opens careplay's HTML reports from disk in Debian's Chromium and checks what a reader
// relies on: no console error and no network request, the headline figures and matrix
// equal the JSON report of the same run, every table holds all its rows, sorting orders
// rows, filtering hides rows, a drill-down on a user or an app lists exactly its events,
// and log values cannot run script. Screenshots go to target/browser-shots/.
//
// Run by .ci/browser.sh (CAREPLAY_BIN = the debug binary). playwright-core only: it drives
// /usr/bin/chromium and never downloads a browser.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(new URL("../..", import.meta.url).pathname);
const bin = resolve(root, process.env.CAREPLAY_BIN || "target/debug/careplay");
const shots = join(root, "target", "browser-shots");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "careplay-browser-"));

let failures = 0;
function check(ok, what) {
  if (ok) {
    console.log(`  ok   ${what}`);
  } else {
    failures++;
    console.log(`  FAIL ${what}`);
  }
}

/** One replay written as HTML and as JSON (same inputs, same run options). */
function replay(name, tenant, args) {
  const html = join(work, `${name}.html`);
  const json = join(work, `${name}.json`);
  for (const [format, file] of [["html", html], ["json", json]]) {
    execFileSync(bin, ["--quiet", "replay", tenant, ...args, "--format", format, "-o", file], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    });
  }
  return { html, report: JSON.parse(readFileSync(json, "utf8")) };
}

/** A copy of the seed tenant whose user and policy names are markup. */
function hostileTenant() {
  const dir = join(work, "hostile");
  cpSync(join(root, "datasets/seed-registration"), dir, { recursive: true });
  const upn = "</script><script>alert(1)</script>";
  for (const f of readdirSync(join(dir, "signins"))) {
    const p = join(dir, "signins", f);
    writeFileSync(p, readFileSync(p, "utf8").replaceAll("gina@fabrikam.example", upn));
  }
  const pol = join(dir, "policies", "11-registration-guests-trusted-networks-report-only.json");
  const doc = JSON.parse(readFileSync(pol, "utf8"));
  doc.displayName = "<!--<script>alert(2)</script>";
  writeFileSync(pol, JSON.stringify(doc, null, 2));
  return { dir, upn, policy: doc.displayName };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // The closed network refuses Chromium's background connections; see the machine notes.
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

async function open(name, html) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  const url = pathToFileURL(html).href;
  // Nothing but the file itself may be fetched: the page is self-contained.
  await page.route("**/*", (r) => {
    if (r.request().url() === url) return r.continue();
    problems.push(`request: ${r.request().url()}`);
    return r.abort();
  });
  await page.goto(url, { waitUntil: "load" });
  return { context, page, problems };
}

const num = (s) => Number(String(s).replace(/[^0-9.-]/g, ""));

async function headline(page, report) {
  const t = report.totals;
  const tiles = await page.$$eval("[data-metric]", (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.metric, {
      events: e.querySelector(".events")?.textContent,
      users: e.querySelector(".users")?.textContent,
      of: e.querySelector(".of")?.textContent,
      moved: e.querySelector(".moved")?.textContent,
    }])));
  for (const m of ["newly_blocked", "newly_challenged", "newly_unknown", "relieved", "undecided"]) {
    check(num(tiles[m]?.events) === t[m].events && num(tiles[m]?.users) === t[m].users,
      `tile ${m} = ${t[m].events} events / ${t[m].users} users (page: ${tiles[m]?.events} / ${tiles[m]?.users})`);
  }
  check(num(tiles.undecided?.of) === t.all.events && num(tiles.all?.events) === t.all.events &&
    num(tiles.all?.users) === t.all.users && num(tiles.all?.moved) === t.moved.events,
    `tiles replayed = ${t.all.events} events / ${t.all.users} users, ${t.moved.events} moved`);
  const cells = await page.$$eval("#heat td[data-events]", (els) =>
    els.map((e) => [e.dataset.baseline, e.dataset.candidate, Number(e.dataset.events)]));
  const want = report.transitions.map((c) => [c.baseline, c.candidate, c.events]);
  check(JSON.stringify(cells) === JSON.stringify(want), "heat map cells equal the JSON transitions");
  const embedded = await page.evaluate(() => JSON.parse(document.getElementById("careplay-data").textContent).report);
  check(JSON.stringify(embedded) === JSON.stringify(report), "embedded report equals the JSON report");
}

async function allRows(page, report) {
  for (const key of ["by_user", "by_app", "by_policy", "by_location", "by_client_app_type", "by_day", "explanations"]) {
    const n = await page.$$eval(`#table-${key} tbody tr`, (r) => r.length);
    const want = report[key].length;
    check(n === want || (want === 0 && n === 0), `${key}: ${n} rows of ${want}`);
  }
}

async function column(page, table, col) {
  return page.$$eval(`#${table} tbody tr:not(.hidden)`, (rows, c) => rows.map((r) => r.cells[c].textContent.trim()), col);
}

async function sorting(page) {
  const headers = await page.$$eval("#table-by_user thead th", (h) => h.map((e) => e.textContent.trim()));
  const ev = headers.indexOf("events");
  const before = await column(page, "table-by_user", 0);
  await page.click(`#table-by_user thead th:nth-child(${ev + 1})`);
  const asc = (await column(page, "table-by_user", ev)).map(Number);
  const ascSorted = asc.every((v, i) => i === 0 || asc[i - 1] <= v);
  const after = await column(page, "table-by_user", 0);
  check(ascSorted, `by_user sorted by events ascending (${asc.slice(0, 5).join(",")}…)`);
  check(new Set(asc).size < 2 || JSON.stringify(before) !== JSON.stringify(after), "sorting changed the row order");
  await page.click(`#table-by_user thead th:nth-child(${ev + 1})`);
  const desc = (await column(page, "table-by_user", ev)).map(Number);
  check(desc.every((v, i) => i === 0 || desc[i - 1] >= v), "a second click sorts descending");
  await page.click("#table-by_user thead th:nth-child(1)");
  const names = (await column(page, "table-by_user", 0)).map((s) => s.toLowerCase());
  check(names.every((v, i) => i === 0 || names[i - 1] <= v), "by_user sorted by name");
  check(await page.getAttribute("#table-by_user thead th:nth-child(1)", "aria-sort") === "ascending", "aria-sort says so");
}

/** A word of the user names that some rows have and others lack. */
function needleOf(report) {
  const names = report.by_user.map((u) => `${u.name} ${u.id || ""}`.toLowerCase());
  for (const n of names) {
    for (const w of n.split(/[^a-z0-9]+/).filter((w) => w.length >= 3)) {
      const hits = names.filter((m) => m.includes(w)).length;
      if (hits > 0 && hits < names.length) return w;
    }
  }
  return names[0] || "";
}

async function filtering(page, report) {
  const needle = needleOf(report);
  const input = "section#by_user input.filter";
  const total = await page.$$eval("#table-by_user tbody tr", (r) => r.length);
  await page.fill(input, needle);
  const shown = await page.$$eval("#table-by_user tbody tr:not(.hidden)", (rows) => rows.map((r) => r.textContent.toLowerCase()));
  check(shown.length > 0 && shown.length < total && shown.every((s) => s.includes(needle)),
    `filter "${needle}" keeps ${shown.length} of ${total} user rows, each matching`);
  const count = await page.textContent("section#by_user .controls .count");
  check(count === `${shown.length} of ${total} rows`, `the table says "${count}"`);
  await page.fill(input, "");
  check((await column(page, "table-by_user", 0)).length === total, "clearing the filter shows every row again");
}

/** Click the drill-down button of `name` in `table`; the event list then holds its events. */
async function drill(page, table, row, field, expectName) {
  const exact = new RegExp(`^${row.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  const button = page.locator(`#table-${table} button.drill`).filter({ hasText: exact }).first();
  await button.click();
  const count = page.locator("#events-count");
  const moved = Number(await count.getAttribute("data-moved"));
  const values = await page.$$eval(`#events-table tbody td[data-field=${field}]`, (t) => t.map((e) => e.textContent));
  check(values.length > 0 && values.every((v) => v === expectName),
    `drill-down on ${table} "${row.name}": ${values.length} events shown, all of it`);
  check(moved === row.events, `... ${moved} of them moved, as its row says (${row.events})`);
  return moved;
}

async function caseSeed() {
  console.log("seed-registration");
  const { html, report } = replay("seed", "datasets/seed-registration", ["--promote", "all-report-only"]);
  const { context, page, problems } = await open("seed", html);
  await headline(page, report);
  await allRows(page, report);
  check(num(await page.getAttribute("#events-note", "data-embedded")) === report.totals.all.events,
    "every seed event is embedded");
  await page.screenshot({ path: join(shots, "seed-top.png") });
  await sorting(page);
  await filtering(page, report);
  const user = report.by_user.find((u) => u.name === "gina@fabrikam.example");
  await drill(page, "by_user", user, "user_principal_name", user.name);
  await page.locator("#events").screenshot({ path: join(shots, "seed-drill-user.png") });
  const app = report.by_app[0];
  await drill(page, "by_app", app, "app_display_name", app.name);
  // Filtering the event list narrows it.
  await page.click("#events-clear");
  const all = Number(await page.getAttribute("#events-count", "data-matching"));
  await page.selectOption("#events-change", "newly_blocked");
  const blocked = Number(await page.getAttribute("#events-count", "data-matching"));
  check(blocked === report.totals.newly_blocked.events && blocked < all,
    `change filter: ${blocked} newly blocked of ${all} events`);
  await page.selectOption("#events-change", "all");
  await page.screenshot({ path: join(shots, "seed-full.png"), fullPage: true });
  await page.emulateMedia({ media: "print" });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, "seed-print.png") });
  check(problems.length === 0, `no console error, dialog or request (${problems.join(" | ")})`);
  await context.close();
}

async function caseContoso() {
  console.log("contoso");
  const { html, report } = replay("contoso", "datasets/contoso", ["--promote", "all-report-only", "--assume-user-risk", "none"]);
  const started = Date.now();
  const { context, page, problems } = await open("contoso", html);
  console.log(`  (page loaded in ${Date.now() - started} ms)`);
  await headline(page, report);
  await allRows(page, report);
  const embedded = num(await page.getAttribute("#events-note", "data-embedded"));
  const note = await page.textContent("#events-note");
  check(embedded === Math.min(20000, report.totals.all.events), `${embedded} events embedded (the limit is 20000)`);
  check(embedded === report.totals.all.events || /Left out: .*\d+ of \d+ unchanged/.test(note),
    `the note says what was left out: ${note.slice(0, 160)}…`);
  await page.screenshot({ path: join(shots, "contoso-top.png") });
  await sorting(page);
  await filtering(page, report);
  // The user with the most moved events, and the largest app.
  await drill(page, "by_user", report.by_user[0], "user_principal_name", report.by_user[0].name);
  await page.locator("#events").screenshot({ path: join(shots, "contoso-drill-user.png") });
  await drill(page, "by_app", report.by_app[0], "app_display_name", report.by_app[0].name);
  await page.locator("#charts").screenshot({ path: join(shots, "contoso-charts.png") });
  check(problems.length === 0, `no console error, dialog or request (${problems.join(" | ")})`);
  await context.close();
}

async function caseHostile() {
  console.log("hostile names");
  const t = hostileTenant();
  const { html, report } = replay("hostile", t.dir, ["--promote", "all-report-only"]);
  const { context, page, problems } = await open("hostile", html);
  const user = report.by_user.find((u) => u.name === t.upn);
  check(!!user, "the hostile UPN is a user of the JSON report");
  const shown = await page.$$eval("#table-by_user button.drill", (b) => b.map((e) => e.textContent));
  check(shown.includes(t.upn), "the page shows the UPN as text");
  check((await page.textContent("#list-changes")).includes(t.policy), "and the policy name as text");
  check(await page.$$eval("script", (s) => s.length) === 2, "no script element was injected");
  await drill(page, "by_user", user, "user_principal_name", t.upn);
  check(problems.length === 0, `no console error, dialog or request (${problems.join(" | ")})`);
  await context.close();
}

try {
  await caseSeed();
  await caseHostile();
  if (!process.env.CAREPLAY_BROWSER_SKIP_CONTOSO) await caseContoso();
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
console.log(`screenshots: ${shots}`);
if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log("all browser checks passed");
