// End-to-end test of the `userpipe ui` page in Debian's headless Chromium (playwright-core,
// executablePath /usr/bin/chromium, nothing downloaded). Run by
// tests/integration/test_ui_browser.sh, which starts the stack pieces and passes:
//   UI_URL, TOPIC, GROUP, BROKERS, KAFKA (path of it_kafka), SCREENSHOT (png to write),
//   STREAM=1 when a `userpipe stream` feeds Cassandra (then rows stored must rise);
//   MAPPING_UI_URL, MAPPING_TOPIC, MAPPING_KEYSPACE: a second dashboard over a
//   `userpipe stream --mapping` run of tests/data/mapping/it_orders (empty: not checked).
// Prints one "ok: ..." line per check and "browser test: N passed, M failed" at the end.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};
const UI_URL = env("UI_URL"), TOPIC = env("TOPIC"), GROUP = env("GROUP");
const BROKERS = env("BROKERS"), KAFKA = env("KAFKA"), SCREENSHOT = env("SCREENSHOT");
const STREAM = process.env.STREAM === "1";
const MAPPING_UI_URL = process.env.MAPPING_UI_URL || "";
const MAPPING_TOPIC = process.env.MAPPING_TOPIC || "", MAPPING_KEYSPACE = process.env.MAPPING_KEYSPACE || "";

let passed = 0, failed = 0;
const problems = [];
async function check(name, fn) {
  const t0 = Date.now();
  try {
    const note = await fn();
    passed++;
    console.log(`ok: ${name}${note ? ` (${note})` : ""} [${Date.now() - t0} ms]`);
  } catch (e) {
    failed++;
    console.log(`FAIL: ${name}: ${e.message}`);
  }
}
const kafka = (...args) => execFileSync(KAFKA, args, { stdio: ["ignore", "ignore", "inherit"] });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const assert = (cond, msg) => { if (!cond) throw new Error(msg); };

async function waitFor(what, fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

const profile = mkdtempSync(join(tmpdir(), "userpipe-chromium-"));
// A fresh profile directory each run (playwright passes it as --user-data-dir).
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1440, height: 1000 },
  acceptDownloads: true,
});
const page = context.pages()[0] || (await context.newPage());
page.on("dialog", async (d) => { problems.push(`a dialog opened: ${d.message()}`); await d.dismiss(); });
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });

const rowCount = () => page.locator("#messages tbody tr.rec").count();
const kpi = async (id) => (await page.locator(`#${id}`).textContent()).trim();
const num = (s) => Number(String(s).replace(/[^0-9.]/g, "")) || 0;

// A slow background producer so the rate charts have a line when the screenshot is taken.
let trickle = null;

try {
  await check("page opens and the tail goes live", async () => {
    await page.goto(`${UI_URL}/?topic=${encodeURIComponent(TOPIC)}`);
    await waitFor("status live", async () => (await page.locator("#tail-status").getAttribute("data-state")) === "live", 5000);
    assert((await page.title()).includes("userpipe"), "title");
    return await page.locator("#tail-status").textContent();
  });

  await check("produced users appear in the tail within 2 s", async () => {
    const before = await rowCount();
    const t0 = Date.now();
    kafka("users", BROKERS, TOPIC, "25");
    const produced = Date.now();
    await waitFor("25 new rows", async () => (await rowCount()) >= before + 25, 2000);
    const seen = Date.now();
    const first = await page.locator("#messages tbody tr.rec").first().locator("td").allTextContents();
    assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(first[0]), `timestamp cell '${first[0]}'`);
    assert(/^[0-9a-f]{8}-0000-4000-8000-[0-9a-f]{12}$/.test(first[3]), `key cell '${first[3]}'`);
    assert(first[4].includes('"first_name":"Ana"'), "value cell");
    return `${seen - produced} ms after the producer returned, ${seen - t0} ms after it started`;
  });

  await check("newest first, expand shows headers and pretty JSON", async () => {
    const offsets = await page.locator("#messages tbody tr.rec td:nth-child(3)").allTextContents();
    const parts = await page.locator("#messages tbody tr.rec td:nth-child(2)").allTextContents();
    // Within a partition, a row above has a higher offset.
    const lastByPart = {};
    for (let i = 0; i < offsets.length; i++) {
      const p = parts[i], o = Number(offsets[i]);
      if (p in lastByPart) assert(o < lastByPart[p], `partition ${p}: offset ${o} below ${lastByPart[p]}`);
      lastByPart[p] = o;
    }
    await page.locator("#messages tbody tr.rec").first().click();
    const detail = page.locator("#messages tbody tr.detail").first();
    await detail.waitFor({ timeout: 2000 });
    const text = await detail.textContent();
    assert(text.includes("source") && text.includes("it_kafka"), "headers not shown");
    const pre = await detail.locator("pre").textContent();
    assert(pre.includes('\n  "first_name": "Ana"'), "value not pretty-printed");
    await page.locator("#messages tbody tr.rec").first().click();
    const title = await page.locator("#messages tbody tr.rec td").first().evaluate((td) => {
      td.dispatchEvent(new MouseEvent("mouseenter"));
      return td.title;
    });
    assert(/ago$/.test(title), `hover title '${title}'`);
    return `hover: ${title}`;
  });

  await check("lag per partition updates", async () => {
    const committedCells = () => page.locator("#lag-table tbody td:nth-child(3)").allTextContents();
    if (!STREAM) kafka("commit", BROKERS, GROUP, TOPIC, "0", "3");
    const lagText = await waitFor("committed offsets shown", async () => {
      const c = await committedCells();
      return c.length > 0 && c.some((x) => x !== "none") ? c : null;
    }, 8000);
    const lag1 = num(await kpi("kpi-lag"));
    if (STREAM) {
      // The stream consumes and commits: the committed column advances by what was produced
      // and the lag falls back to 0.
      const sum = async () => (await committedCells()).reduce((a, c) => a + num(c), 0);
      const c1 = await sum();
      kafka("users", BROKERS, TOPIC, "40");
      await waitFor("committed +40, lag 0", async () => (await sum()) >= c1 + 40 && num(await kpi("kpi-lag")) === 0, 20000);
      return `committed ${c1} -> ${await sum()}, lag ${await kpi("kpi-lag")}`;
    }
    kafka("users", BROKERS, TOPIC, "40");
    await waitFor("lag to grow by 40", async () => num(await kpi("kpi-lag")) >= lag1 + 40, 5000);
    kafka("commit", BROKERS, GROUP, TOPIC, "0", "10");
    await waitFor("lag to fall", async () => num(await kpi("kpi-lag")) < lag1 + 40, 5000);
    return `committed ${lagText.join("/")}; lag ${lag1} -> grew -> fell`;
  });

  await check(STREAM ? "rows stored update" : "rows stored (no stream: skipped)", async () => {
    if (!STREAM) return "SKIPPED: no `userpipe stream` in this build";
    const r1 = num(await waitFor("rows stored shown", async () => {
      const t = await kpi("kpi-rows");
      return t !== "–" ? t : null;
    }, 10000));
    kafka("users", BROKERS, TOPIC, "30");
    await waitFor("rows stored to rise", async () => num(await kpi("kpi-rows")) >= r1 + 30, 15000);
    await waitFor("stream shown as up", async () => (await page.locator("#svc-stream").getAttribute("data-state")) === "up", 5000);
    return `${r1} -> ${await kpi("kpi-rows")}`;
  });

  await check("pause keeps the view still; resume shows what was held", async () => {
    await page.click("#pause");
    await sleep(300);
    const still = await rowCount();
    const firstKey = await page.locator("#messages tbody tr.rec").first().getAttribute("data-key");
    kafka("users", BROKERS, TOPIC, "7");
    await waitFor("held count on the button", async () => (await page.locator("#pause").textContent()).includes("7 new"), 3000);
    await sleep(500);
    assert((await rowCount()) === still, "rows changed while paused");
    assert((await page.locator("#messages tbody tr.rec").first().getAttribute("data-key")) === firstKey, "top row changed while paused");
    await page.click("#pause");
    await waitFor("held rows drawn", async () => (await rowCount()) === Math.min(500, still + 7), 2000);
    return `${still} rows held still, +7 on resume`;
  });

  await check("an XSS record is displayed as text", async () => {
    const before = await rowCount();
    kafka("xss", BROKERS, TOPIC);
    await waitFor("xss row", async () => (await rowCount()) > before, 3000);
    const cells = await page.locator("#messages tbody tr.rec").first().locator("td").allTextContents();
    assert(cells[3] === "<img src=x onerror=alert(2)>", `key shown as '${cells[3]}'`);
    assert(cells[4].includes('"first_name":"<script>alert(1)</script>"'), `value shown as '${cells[4]}'`);
    await page.locator("#messages tbody tr.rec").first().click();
    const pre = await page.locator("#messages tbody tr.detail pre").first().textContent();
    assert(pre.includes('"first_name": "<script>alert(1)</script>"'), "pretty value");
    const injected = await page.evaluate(() => ({
      scripts: document.scripts.length,
      imgs: document.querySelectorAll("#messages img").length,
    }));
    assert(injected.scripts === 1 && injected.imgs === 0, `elements injected: ${JSON.stringify(injected)}`);
    await sleep(300);
    assert(!problems.some((p) => p.includes("dialog")), "an alert ran");
    await page.locator("#messages tbody tr.rec").first().click();
    return "as text in the row and the detail; no element, no alert";
  });

  await check("server-side filter, from the beginning", async () => {
    await page.selectOption("#from", "beginning");
    await page.fill("#filter", "<script>");
    await page.click("#tail-form button[type=submit]");
    const scannedNow = async () => num(((await page.locator("#counters").textContent()).match(/([\d,]+) scanned/) || [])[1]);
    await waitFor("only the XSS record, all scanned", async () => (await rowCount()) === 1 && (await scannedNow()) >= 100, 5000);
    const key = await page.locator("#messages tbody tr.rec td:nth-child(4)").first().textContent();
    assert(key === "<img src=x onerror=alert(2)>", "wrong record matched");
    const counters = await page.locator("#counters").textContent();
    const scanned = num((counters.match(/([\d,]+) scanned/) || [])[1]);
    assert(scanned > 1, `server scanned ${scanned}`);
    return counters.replace(/\s+/g, " ");
  });

  await check("export what is shown as JSON and CSV", async () => {
    const [dj] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
    const json = JSON.parse(readFileSync(await dj.path(), "utf8"));
    assert(Array.isArray(json) && json.length === 1 && json[0].key === "<img src=x onerror=alert(2)>", "JSON export");
    const [dc] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    const csv = readFileSync(await dc.path(), "utf8").trim().split("\r\n");
    assert(csv[0] === "topic,partition,offset,timestamp,timestamp_iso,key,value,headers", `CSV header ${csv[0]}`);
    assert(csv.length === 2 && csv[1].includes('""first_name"":""<script>alert(1)</script>""'), "CSV row");
    return `${dj.suggestedFilename()}, ${dc.suggestedFilename()}`;
  });

  await check("topics panel and DLQ reasons", async () => {
    await page.selectOption("#from", "end");
    await page.fill("#filter", "");
    await page.click("#tail-form button[type=submit]");
    await waitFor("topic listed", async () => (await page.locator("#topics-table tbody").textContent()).includes(TOPIC), 8000);
    const row = page.locator("#topics-table tbody tr", { hasText: TOPIC }).first();
    await waitFor("record count from the watermarks", async () => num(await row.locator("td").nth(2).textContent()) >= 103, 8000);
    const cells = await row.locator("td").allTextContents();
    assert(cells[4] !== "–", "retention");
    await waitFor("DLQ reasons", async () => (await page.locator("#dlq-reasons tbody").textContent()).includes("bad_uuid"), 8000);
    return `${cells.join(" | ")}; DLQ: ${(await page.locator("#dlq-reasons tbody").textContent()).replace(/\s+/g, " ")}`;
  });

  await check("brokers and Cassandra nodes with their state, as /api/cluster says", async () => {
    const c = await waitFor("a controller and a Cassandra node in /api/cluster", async () => {
      const d = await (await fetch(`${UI_URL}/api/cluster`)).json();
      return d.kafka && d.kafka.controller_id !== null && d.cassandra && d.cassandra.up > 0 ? d : null;
    }, 20000);
    const rowsOf = async (id) => waitFor(`${id} rows`, async () => {
      const rows = await page.locator(`#${id} tbody tr`).evaluateAll((trs) => trs.map((tr) =>
        [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())));
      return rows.length && rows[0].length === 4 ? rows : null;
    }, 8000);
    const brokers = await rowsOf("brokers-table");
    assert(brokers.length === c.kafka.brokers.length, `${brokers.length} broker rows for ${c.kafka.brokers.length} brokers`);
    c.kafka.brokers.forEach((b, i) => {
      assert(brokers[i][1] === b.address && brokers[i][2] === (b.up ? "up" : "down"), `broker row ${i}: ${brokers[i]}`);
      assert((brokers[i][3] === "active controller") === b.controller, `controller shown on row ${i}: ${brokers[i]}`);
    });
    const nodes = await rowsOf("nodes-table");
    assert(nodes.length === c.cassandra.nodes.length, `${nodes.length} node rows for ${c.cassandra.nodes.length} nodes`);
    c.cassandra.nodes.forEach((n, i) => assert(nodes[i][0] === n.address && nodes[i][2] === (n.up ? "up" : "down"), `node row ${i}: ${nodes[i]}`));
    return `brokers: ${brokers.map((r) => r.join(" ")).join("; ")}; nodes: ${nodes.map((r) => r.slice(0, 3).join(" ")).join("; ")}`;
  });

  await check(STREAM ? "Mappings panel: the built-in users mapping's row" : "Mappings panel: the unwatched stream's empty state", async () => {
    if (STREAM) {
      /* without --mapping the stream runs the users record as a built-in mapping: one row */
      const row = page.locator(`#mappings-table tbody tr[data-topic="${TOPIC}"]`);
      await waitFor("the built-in mapping's row", async () => ((await row.count()) === 1 ? true : null), 10000);
      const table = await row.getAttribute("data-table");
      assert(table && table.endsWith(".users"), `the built-in mapping's table: ${table}`);
      assert((await page.locator("#mappings-table tbody tr[data-topic]").count()) === 1, "one row for one built-in mapping");
      return `${TOPIC} → ${table}`;
    }
    const text = await waitFor("the empty state", async () => {
      const t = (await page.locator("#mappings-table tbody tr.empty-state").textContent().catch(() => "")) || "";
      return t.includes("not watched") ? t : null;
    }, 10000);
    assert(text.includes("userpipe stream --mapping FILE"), `no way to get a row: ${text}`);
    assert((await page.locator("#mappings-table tbody tr[data-topic]").count()) === 0, "rows without a mapping run");
    return text.slice(0, 90);
  });

  await check(MAPPING_UI_URL ? "Mappings panel: one row per topic -> table with the run's counts" : "Mappings panel rows (no mapping run: skipped)", async () => {
    if (!MAPPING_UI_URL) return "SKIPPED: no `userpipe stream` in this build";
    const mp = await context.newPage();
    try {
      await mp.goto(MAPPING_UI_URL);
      const cells = (table, cls = "") => mp.locator(`#mappings-table tbody tr[data-table="${MAPPING_KEYSPACE}.${table}"] td${cls ? `.${cls}` : ""}`);
      const text = async (table, cls) => (await cells(table, cls).count()) === 1 ? (await cells(table, cls).textContent()).trim() : null;
      // The figures the stream counted (test_stream_mapping.sh checks the same run's series):
      // 10 records, 1 tombstone per table, 1 record that does not parse (the topic's, one cell
      // spanning both rows), 3 that do not map to orders, 6 rows per table with a latency.
      await waitFor("the run's figures", async () =>
        (await text("orders", "m-deletes")) === "1" && (await text("totals", "m-deletes")) === "1" &&
        (await text("orders", "m-dlq-parse")) === "1" && (await text("orders", "m-dlq-mapping")) === "3" &&
        (await text("orders", "m-dlq-write")) === "0" && /\d (ms|s)$/.test(await text("orders", "m-p99")) &&
        /\d (ms|s)$/.test(await text("totals", "m-p99")), 60000);
      const rows = await mp.locator("#mappings-table tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.dataset.topic, tr.dataset.table]));
      assert(JSON.stringify(rows) === JSON.stringify([[MAPPING_TOPIC, `${MAPPING_KEYSPACE}.orders`], [MAPPING_TOPIC, `${MAPPING_KEYSPACE}.totals`]]), `rows ${JSON.stringify(rows)}`);
      const records = await cells("orders", "m-records").getAttribute("title");
      assert(records.startsWith("10 records read"), `records title '${records}'`);
      assert((await cells("orders", "m-dlq-parse").getAttribute("rowspan")) === "2", "the parse cell does not span the topic's two rows");
      assert((await cells("totals").count()) === 6, "the totals row repeats the topic's cells");
      const name = (await cells("orders").first().textContent()).trim();
      assert(name === `${MAPPING_TOPIC} → ${MAPPING_KEYSPACE}.orders`, `name cell '${name}'`);
      return (await mp.locator("#mappings-table tbody").textContent()).replace(/\s+/g, " ").slice(0, 160);
    } finally {
      await mp.close();
    }
  });

  await check("screenshot saved", async () => {
    trickle = spawn(KAFKA, ["users", BROKERS, TOPIC, "2400", "150"], { stdio: "ignore" });
    await sleep(Number(process.env.SCREENSHOT_WAIT_MS || 12000));
    await page.mouse.move(0, 0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    return SCREENSHOT;
  });

  await check("no page errors, console errors or dialogs", async () => {
    assert(problems.length === 0, problems.join("; "));
  });
} finally {
  if (trickle) trickle.kill();
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`browser test: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
