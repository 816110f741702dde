// Finding the pyxray executable: the `pyxray.path` setting, else the binary bundled in the
// extension (server/pyxray), else `pyxray` on PATH. Each failure is explained in words a user can
// act on, with a link to the README's set-up section.

import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const README_URL = "https://github.com/pyxray/pyxray#editors";

export type Found = { path: string; source: "setting" | "bundled" | "PATH" };
export type NotFound = { error: string };

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  const exts = process.platform === "win32" ? [".exe", ""] : [""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (dir && isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The server to start, or why there is none. */
export function findServer(setting: string, extensionDir: string): Found | NotFound {
  if (setting.trim() !== "") {
    const file = setting.trim();
    if (!fs.existsSync(file)) {
      return { error: `The setting pyxray.path is "${file}", which does not exist.` };
    }
    if (!isExecutableFile(file)) {
      return { error: `The setting pyxray.path is "${file}", which is not an executable file.` };
    }
    return { path: file, source: "setting" };
  }
  const exe = process.platform === "win32" ? "pyxray.exe" : "pyxray";
  const bundled = path.join(extensionDir, "server", exe);
  if (isExecutableFile(bundled)) return { path: bundled, source: "bundled" };
  const found = onPath("pyxray");
  if (found) return { path: found, source: "PATH" };
  return {
    error:
      "pyxray's server was not found: pyxray.path is not set, this build of the extension has no bundled server, " +
      "and there is no `pyxray` on PATH.",
  };
}

/**
 * Runs `pyxray --version` to make sure `file` is a pyxray that starts: a wrong binary or one that
 * crashes at once is then explained here, instead of as a broken pipe in the middle of `initialize`.
 */
export function checkServer(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, ["--version"], { timeout: 10000 }, (error, stdout, stderr) => {
      const said = (stderr || stdout).trim().split("\n").slice(0, 3).join(" ");
      if (error) {
        const how = error.killed ? "did not answer within 10 s" : `failed (${error.code ?? error.message})`;
        resolve(`\`${file} --version\` ${how}${said ? `: ${said}` : ""}`);
      } else if (!stdout.startsWith("pyxray")) {
        resolve(`\`${file} --version\` printed "${stdout.trim()}", so it is not pyxray`);
      } else {
        resolve(undefined);
      }
    });
  });
}
