// "pyxray: Show Bytecode": a read-only document beside the editor with the `dis` listing of the
// function (class, lambda, comprehension) under the cursor, or of the whole file outside any. The
// view follows its code object by qualified name and refreshes shortly after each edit.

import * as path from "path";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";

export const SCHEME = "pyxray-dis";
const REFRESH_DELAY_MS = 250;

/** What `pyxray/disassemble` answers. */
export interface Disassembly {
  uri: string;
  version: number;
  pythonVersion: string;
  name: string;
  qualname: string;
  listing: string;
  note: string | null;
}

type ViewKey = { source: string; qualname: string };

function keyOf(uri: vscode.Uri): ViewKey {
  const query = new URLSearchParams(uri.query);
  return { source: query.get("source") ?? "", qualname: query.get("qualname") ?? "<module>" };
}

export function render(d: Disassembly, file: string): string {
  const header = [`# ${d.qualname} · ${file} · CPython ${d.pythonVersion} · document version ${d.version}`];
  if (d.note) header.push(`# ${d.note}`);
  return header.join("\n") + "\n\n" + (d.listing || "(no bytecode)\n");
}

export class BytecodeView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly client: () => LanguageClient | undefined) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { source, qualname } = keyOf(uri);
    const file = path.basename(vscode.Uri.parse(source).path);
    const client = this.client();
    if (!client || !client.isRunning()) return `# pyxray's server is not running, so there is no listing for ${file}.\n`;
    try {
      const params = { textDocument: { uri: source }, qualname: qualname === "<module>" ? undefined : qualname };
      return render(await client.sendRequest<Disassembly>("pyxray/disassemble", params), file);
    } catch (e) {
      return `# pyxray could not disassemble ${file}: ${e instanceof Error ? e.message : String(e)}\n`;
    }
  }

  /** Opens the listing for the code at the cursor of `editor` beside it. */
  async show(editor: vscode.TextEditor): Promise<void> {
    const client = this.client();
    if (!client || !client.isRunning()) {
      void vscode.window.showErrorMessage("pyxray: the server is not running, so there is no bytecode to show.");
      return;
    }
    const source = editor.document.uri.toString();
    const position = client.code2ProtocolConverter.asPosition(editor.selection.active);
    const found = await client.sendRequest<Disassembly>("pyxray/disassemble", { textDocument: { uri: source }, position });
    const file = path.basename(editor.document.uri.path);
    const query = new URLSearchParams({ source, qualname: found.qualname }).toString();
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${file} · ${found.qualname}.dis`, query });
    const doc = await vscode.workspace.openTextDocument(uri);
    this.changed.fire(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
  }

  /** Refreshes, shortly after the last of a burst of edits, every open listing of `document`. */
  sourceChanged(document: vscode.TextDocument): void {
    const source = document.uri.toString();
    clearTimeout(this.timers.get(source));
    this.timers.set(source, setTimeout(() => this.refresh(source), REFRESH_DELAY_MS));
  }

  /** Refreshes every open listing (of `source` only, when given). */
  refresh(source?: string): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === SCHEME && (source === undefined || keyOf(doc.uri).source === source)) {
        this.changed.fire(doc.uri);
      }
    }
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.changed.dispose();
  }
}
