// The status-bar item: the CPython version whose bytecode pyxray shows, or that the server is not
// running (with the reason in the tooltip). Clicking it opens the bytecode of the current code.

import * as vscode from "vscode";

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

  version(python: string, source: string): void {
    this.item.text = `$(circuit-board) pyxray: CPython ${python}`;
    this.item.tooltip = `pyxray shows the bytecode of CPython ${python} (${source}). Click: Show Bytecode.`;
    this.item.backgroundColor = undefined;
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
