// Screenshot of a running `userpipe ui` in Debian's headless Chromium, for docs/img/ui.png.
//   node tests/browser/screenshot.mjs URL OUT.png [WAIT_SECONDS] [WIDTH] [HEIGHT]
// Opens URL, waits (so the charts have a few minutes... or seconds of history), optionally
// expands the newest record, and writes a full-page PNG.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, out, wait = "20", width = "1440", height = "1000"] = process.argv.slice(2);
if (!url || !out) {
  console.error("usage: node screenshot.mjs URL OUT.png [WAIT_SECONDS] [WIDTH] [HEIGHT]");
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), "userpipe-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: Number(width), height: Number(height) },
});
try {
  const page = context.pages()[0] || (await context.newPage());
  await page.goto(url);
  await page.waitForTimeout(Number(wait) * 1000);
  await page.click("#pause"); // a still picture: no half-drawn row flashes
  await page.locator("#messages tbody tr.rec").nth(1).click();
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  await page.screenshot({ path: out, fullPage: true });
  console.log(out);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
