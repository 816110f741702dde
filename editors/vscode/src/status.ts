// The status-bar item: the CPython version whose bytecode pyxray shows for the active Python file
// and where that version came from (the server's `pyxray/status`), or that the server is not
// running (with the reason in the tooltip). Clicking it opens the bytecode of the current code.

import * as vscode from "vscode";

/** What the server's `pyxray/status` notification and request carry (README, "pyxray/status"). */
export interface VersionStatus {
  uri: string;
  /** The version pyxray compiles for, "3.13". */
  pythonVersion: string;
  /** The version asked for, as written ("3.12.1"); null for the default. */
  requested: string | null;
  sourceKind: "default" | "setting" | "detected";
  /** Who asked, in words: "the default", "as set", "from /ws/.venv/pyvenv.cfg (3.12.1)". */
  source: string;
  /** Why the version used is not the one asked for; null when it is. */
  note: string | null;
  /** The line hovers end with. */
  summary: string;
}

export class Status implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("pyxray.status", vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = "pyxray";
    this.item.command = "pyxray.showBytecode";
    this.starting();
    this.item.show();
  }

  starting(): void {
    this.item.text = "$(sync~spin) pyxray";
    this.item.tooltip = "pyxray: starting the server";
    this.item.backgroundColor = undefined;
  }

  version(s: VersionStatus): void {
    // "CPython 3.13", or "CPython 3.13 (3.12 requested)" when pyxray could not use the version asked for.
    const asked = s.note && s.requested ? ` (${s.requested} requested)` : "";
    this.item.text = `${s.note ? "$(warning)" : "$(circuit-board)"} pyxray: CPython ${s.pythonVersion}${asked}`;
    this.item.tooltip = `pyxray shows the bytecode of ${s.summary}. Click: Show Bytecode.`;
    this.item.backgroundColor = s.note ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
  }

  failed(why: string): void {
    this.item.text = "$(error) pyxray";
    this.item.tooltip = `pyxray is not running: ${why}`;
    this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
  }

  dispose(): void {
    this.item.dispose();
  }
}
