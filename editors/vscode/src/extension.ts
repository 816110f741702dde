// The pyxray extension: starts the pyxray language server (found by src/server.ts), passes it the
// `pyxray.*` settings, shows the CPython version of the active file and where it came from in the
// status bar (from the server's `pyxray/status`), and offers "Show Bytecode".
// Anything that goes wrong (no server, a server that will not start or keeps crashing, a setting
// the server refuses) ends up in a message the user sees, never in silence.

import * as vscode from "vscode";
import {
  CloseAction,
  CloseHandlerResult,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { BytecodeView, SCHEME } from "./bytecodeView";
import { checkServer, findServer, README_URL } from "./server";
import { Status, VersionStatus } from "./status";

/** More crashes than this within CRASH_WINDOW_MS and the server is left stopped. */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 3 * 60 * 1000;

let client: LanguageClient | undefined;
let status: Status;
let view: BytecodeView;
let output: vscode.OutputChannel;
/** The last `pyxray/status` the server sent, per document URI. */
const statuses = new Map<string, VersionStatus>();

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration("pyxray");
}

/** The settings the server reads (README, "Settings"); `path` and `trace` are the editor's own. */
function serverSettings(): object {
  return {
    pythonVersion: config().get("pythonVersion", "auto"),
    detectFromPath: config().get("detectFromPath", false),
    diagnostics: config().get("diagnostics", {}),
  };
}

async function showError(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(`pyxray: ${message}`, "Open README", "Open Settings");
  if (choice === "Open README") await vscode.env.openExternal(vscode.Uri.parse(README_URL));
  if (choice === "Open Settings") await vscode.commands.executeCommand("workbench.action.openSettings", "pyxray");
}

function crashHandler(serverPath: string) {
  const crashes: number[] = [];
  return {
    // A write to a server that died fails too; the close below says what happened, once.
    error: () => ({ action: ErrorAction.Continue, handled: true }),
    closed: (): CloseHandlerResult => {
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && now - crashes[0] > CRASH_WINDOW_MS) crashes.shift();
      if (crashes.length < MAX_CRASHES) {
        output.appendLine(`pyxray's server stopped unexpectedly; restarting it (${crashes.length}/${MAX_CRASHES}).`);
        return { action: CloseAction.Restart, handled: true };
      }
      const why = `the server ${serverPath} stopped unexpectedly ${crashes.length} times in 3 minutes`;
      status.failed(why);
      void showError(`${why}, so it was not restarted. Its log is in Output › pyxray; please report the crash.`);
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  status.starting();
  const found = findServer(config().get("path", ""), context.extensionPath);
  if ("error" in found) {
    status.failed(found.error);
    void showError(`${found.error} Set pyxray.path or install pyxray (see the README).`);
    return;
  }
  const broken = await checkServer(found.path);
  if (broken) {
    status.failed(broken);
    void showError(`the server from ${found.source === "setting" ? "pyxray.path" : found.source} does not work: ${broken}.`);
    return;
  }
  output.appendLine(`starting ${found.path} (from ${found.source})`);
  const serverOptions: ServerOptions = { command: found.path, args: ["server"], transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: "python", scheme: "file" },
      { language: "python", scheme: "untitled" },
    ],
    initializationOptions: { pyxray: serverSettings() },
    outputChannel: output,
    errorHandler: crashHandler(found.path),
    // Failures are reported once, by start() below and by the crash handler, not as extra popups.
    initializationFailedHandler: () => false,
  };
  const starting = new LanguageClient("pyxray", "pyxray", serverOptions, clientOptions);
  client = starting;
  statuses.clear();
  // Ask for the server's pyxray/status notifications (it sends them only to clients that do).
  starting.registerFeature({
    fillClientCapabilities: (capabilities) => {
      capabilities.experimental = { ...(capabilities.experimental ?? {}), pyxrayStatus: true };
    },
    initialize: () => undefined,
    getState: () => ({ kind: "static" }),
    clear: () => undefined,
  });
  starting.onNotification("pyxray/status", (s: VersionStatus) => {
    statuses.set(s.uri, s);
    if (activePython()?.document.uri.toString() === s.uri) status.version(s);
  });
  try {
    await starting.start();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    status.failed(`${found.path} did not start: ${why}`);
    void showError(`could not start the server ${found.path}: ${why}. Its output is in Output › pyxray.`);
    return;
  }
  await refreshStatus();
  view.refresh();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  const old = client;
  client = undefined;
  if (old) await old.stop().catch(() => undefined);
  await start(context);
}

/** The active (or else a visible) Python editor. */
function activePython(): vscode.TextEditor | undefined {
  const editors = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors];
  return editors.find((e) => e?.document.languageId === "python");
}

/** Shows which CPython version the server uses for the active Python file, and why. */
async function refreshStatus(): Promise<void> {
  const editor = activePython();
  if (!client || !client.isRunning() || !editor) return;
  const uri = editor.document.uri.toString();
  const known = statuses.get(uri);
  if (known) status.version(known);
  try {
    const s = await client.sendRequest<VersionStatus>("pyxray/status", { textDocument: { uri } });
    statuses.set(uri, s);
    if (activePython()?.document.uri.toString() === uri) status.version(s);
  } catch {
    // The server may be restarting; its next pyxray/status notification updates the item.
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("pyxray");
  status = new Status();
  view = new BytecodeView(() => client);
  context.subscriptions.push(
    output,
    status,
    view,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, view),
    vscode.commands.registerCommand("pyxray.showBytecode", async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== "python") {
        void vscode.window.showInformationMessage("pyxray: open a Python file to see its bytecode.");
        return;
      }
      try {
        await view.show(editor);
      } catch (e) {
        void showError(`could not show the bytecode: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
    vscode.commands.registerCommand("pyxray.restartServer", () => restart(context)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.languageId === "python" && e.contentChanges.length) view.sourceChanged(e.document);
    }),
    vscode.window.onDidChangeActiveTextEditor(() => void refreshStatus()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("pyxray.path")) return restart(context);
      if (e.affectsConfiguration("pyxray") && client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { pyxray: serverSettings() } });
        await refreshStatus();
        view.refresh();
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop().catch(() => undefined);
}
