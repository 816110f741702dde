// The VS Code extension in real VS Code: code-server 1.100 with the built .vsix installed, driven
// in headless Chromium with playwright-core. Checks that a hover over a function shows its
// bytecode, the Problems panel shows the identity warning, "pyxray: Show Bytecode" opens the
// listing beside the editor and follows an edit, the status bar names the CPython version (also the
// one a .python-version file names), and that a bad setting, a missing server and a crashing
// server each produce a readable notification.
// Usage: node e2e.js VSIX SAMPLE.py RESULTS_DIR, with $CODE_SERVER (the code-server executable) and
// $PYXRAY_BIN (the pyxray binary) set.

const { chromium } = require("playwright-core");
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [vsix, sample, results] = process.argv.slice(2);
const codeServer = process.env.CODE_SERVER;
const port = 18000 + (process.pid % 1000);
const checks = [];

function record(name, ok, detail) {
  checks.push({ name, ok });
  console.log(`${ok ? "ok" : "FAILED"} - vscode: ${name}${ok ? "" : `\n    ${String(detail).replace(/\n/g, "\n    ")}`}`);
}

async function until(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${last instanceof Error ? last.message : last}`);
}

const text = (page, selector) =>
  page.$$eval(selector, (els) => els.map((e) => e.innerText.replace(/\u00a0/g, " ")).join("\n"));

async function check(name, page, body) {
  try {
    await body();
    record(name, true);
  } catch (e) {
    await page.screenshot({ path: path.join(results, `vscode-failed-${name.replace(/\W+/g, "-")}.png`) }).catch(() => {});
    record(name, false, e.stack || e);
  }
}

async function command(page, title) {
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(title);
  await until(`"${title}" in the command palette`, 10000, async () => (await text(page, ".quick-input-list")).includes(title));
  await page.keyboard.press("Enter");
}

async function goTo(page, lineCol) {
  await page.keyboard.press("Control+G");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(lineCol);
  await page.keyboard.press("Enter");
}

async function main() {
  fs.mkdirSync(results, { recursive: true });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pyxray-vscode-"));
  const [userData, extensions, workspace] = ["user", "extensions", "workspace"].map((d) => path.join(root, d));
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  fs.mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
  fs.copyFileSync(sample, path.join(workspace, "sample.py"));
  const settings = path.join(workspace, ".vscode", "settings.json");
  fs.writeFileSync(
    path.join(userData, "User", "settings.json"),
    JSON.stringify({
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.colorTheme": "Default Dark Modern",
      "security.workspace.trust.enabled": false,
      "extensions.ignoreRecommendations": true,
      "chat.disableAIFeatures": true,
      "editor.minimap.enabled": false,
      "window.commandCenter": false,
    }),
  );
  fs.writeFileSync(path.join(root, "config.yaml"), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  execFileSync(codeServer, ["--config", path.join(root, "config.yaml"), "--extensions-dir", extensions, "--install-extension", vsix], { stdio: "inherit" });

  const log = fs.openSync(path.join(results, "code-server.log"), "w");
  const server = spawn(
    codeServer,
    ["--config", path.join(root, "config.yaml"), "--user-data-dir", userData, "--extensions-dir", extensions,
      "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", workspace],
    { stdio: ["ignore", log, log], detached: true },
  );
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    await until("code-server to listen", 30000, () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false));
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    const openSample = async () => {
      await page.keyboard.press("Control+P");
      await page.waitForSelector(".quick-input-widget input", { state: "visible" });
      await page.keyboard.type("sample.py");
      await until("sample.py in quick open", 15000, async () => (await text(page, ".quick-input-list")).includes("sample.py"));
      await page.keyboard.press("Enter");
      await page.waitForSelector(".monaco-editor .view-lines", { timeout: 20000 });
    };
    await openSample();

    await check("hover over a function shows its bytecode", page, async () => {
      await goTo(page, "5:6");
      const hover = await until("a hover with the listing of make_counter", 60000, async () => {
        await page.keyboard.press("Control+K");
        await page.keyboard.press("Control+I");
        await page.waitForSelector(".monaco-hover-content", { timeout: 3000 });
        const t = await text(page, ".monaco-hover-content");
        return t.includes("make_counter") && t.includes("RETURN_VALUE") && t;
      });
      if (!hover.includes("MAKE_CELL")) throw new Error(`no MAKE_CELL in the hover:\n${hover}`);
      await page.screenshot({ path: path.join(results, "vscode-hover.png") });
      // A close-up of the hover and the code under it, for the README.
      const hoverBox = await page.locator(".monaco-hover").first().boundingBox();
      const editorBox = await page.locator(".editor-group-container").first().boundingBox();
      const clip = { x: editorBox.x, y: editorBox.y, width: Math.min(editorBox.width, hoverBox.x + hoverBox.width + 40 - editorBox.x) };
      clip.height = Math.min(editorBox.height, hoverBox.y + hoverBox.height + 40 - editorBox.y);
      await page.screenshot({ path: path.join(results, "vscode-hover-closeup.png"), clip });
      await page.keyboard.press("Escape");
    });

    await check("status bar shows the Python version", page, async () => {
      await until("the status-bar item", 30000, async () => (await text(page, ".statusbar")).includes("pyxray: CPython 3.13"));
    });

    await check("Problems panel shows the identity warning", page, async () => {
      await page.keyboard.press("Control+Shift+M");
      const problems = await until("PX005 in the Problems panel", 30000, async () => {
        const t = await text(page, ".markers-panel");
        return t.includes("PX005") && t;
      });
      if (!problems.includes("is False here")) throw new Error(problems);
      await page.screenshot({ path: path.join(results, "vscode-problems.png") });
      await page.keyboard.press("Control+Shift+M");
    });

    await check("Show Bytecode opens the listing beside the source and follows edits", page, async () => {
      await page.click(".editor-group-container .monaco-editor .view-lines");
      await goTo(page, "5:6");
      await command(page, "pyxray: Show Bytecode");
      await until("a tab with the listing", 20000, async () => (await text(page, ".tabs-container")).includes("make_counter.dis"));
      const listing = () => text(page, ".editor-group-container:nth-child(2) .view-lines, .split-view-view:nth-child(2) .editor-group-container .view-lines");
      await until("the listing of make_counter", 20000, async () => {
        const t = await listing();
        return t.includes("# make_counter · sample.py · CPython 3.13") && t.includes("MAKE_CELL");
      });
      await page.screenshot({ path: path.join(results, "vscode-show-bytecode.png") });
      // Type a new statement into make_counter: the listing must show it without any command.
      await goTo(page, "6:18");
      await page.keyboard.press("End");
      await page.keyboard.press("Enter");
      await page.keyboard.type("extra = 4242");
      await until("the listing to show the edit", 20000, async () => (await listing()).includes("STORE_FAST") && (await listing()).includes("(extra)"));
      await page.screenshot({ path: path.join(results, "vscode-show-bytecode-after-edit.png") });
    });

    // A notification, as a toast or (once toasts have timed out) in the notification centre.
    const toast = async (needle) => {
      let opened = false;
      const started = Date.now();
      return until(`a notification mentioning ${needle}`, 45000, async () => {
        const t = await text(page, ".notifications-toasts, .notifications-center");
        if (!t.includes(needle) && !opened && Date.now() - started > 5000) {
          opened = true;
          await command(page, "Notifications: Show Notifications");
        }
        return t.includes(needle) && t;
      });
    };
    // Settings change on disk, then the window reloads: VS Code reads them afresh at start-up
    // (a change on disk alone waits for a file watcher, which is not reliable here).
    const setSettings = async (value) => {
      fs.writeFileSync(settings, JSON.stringify(value));
      await page.reload();
      await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
      await openSample();
    };

    await check("the status bar shows the version a .python-version names", page, async () => {
      // "CPython 3.12", or "CPython 3.13 (3.12 requested)" while pyxray does not compile 3.12.
      fs.writeFileSync(path.join(workspace, ".python-version"), "3.12\n");
      await setSettings({});
      await until("the status bar to show 3.12", 30000, async () => /CPython 3\.12|3\.12 requested/.test(await text(page, ".statusbar")));
      await page.screenshot({ path: path.join(results, "vscode-python-version-file.png") });
    });

    await check("an unsupported pythonVersion is reported", page, async () => {
      await setSettings({ "pyxray.pythonVersion": "3.9" });
      await toast("pyxray.pythonVersion");
      // The version used is the nearest one pyxray compiles, and the status bar says 3.9 was asked for.
      await until("the status bar to show 3.9 requested", 30000, async () => (await text(page, ".statusbar")).includes("(3.9 requested)"));
      await page.screenshot({ path: path.join(results, "vscode-bad-python-version.png") });
    });

    await check("a wrong server path is reported", page, async () => {
      await setSettings({ "pyxray.path": "/nonexistent/pyxray" });
      await toast("does not exist");
      await page.screenshot({ path: path.join(results, "vscode-wrong-path.png") });
    });

    await check("a server that fails at once is reported", page, async () => {
      const broken = path.join(root, "broken-pyxray");
      fs.writeFileSync(broken, "#!/bin/sh\necho 'pyxray: crashed on purpose' >&2\nexit 3\n", { mode: 0o755 });
      await setSettings({ "pyxray.path": broken });
      await toast("crashed on purpose");
      await page.screenshot({ path: path.join(results, "vscode-broken-server.png") });
    });

    await check("a server that keeps crashing is reported", page, async () => {
      // The real server, killed two seconds after each start.
      const crashing = path.join(root, "crashing-pyxray");
      const real = process.env.PYXRAY_BIN;
      fs.writeFileSync(crashing, `#!/bin/sh\n[ "$1" = --version ] && exec "${real}" --version\nexec timeout 2 "${real}" "$@"\n`, { mode: 0o755 });
      await setSettings({ "pyxray.path": crashing });
      await toast("stopped unexpectedly 3 times");
      await page.screenshot({ path: path.join(results, "vscode-crashing-server.png") });
    });
  } finally {
    await browser.close().catch(() => {});
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {}
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  }
}

main()
  .catch((e) => record("the test harness ran", false, e.stack || e))
  .finally(() => {
    const failed = checks.filter((c) => !c.ok).length;
    console.log(`vscode: ${checks.length - failed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });
