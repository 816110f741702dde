//! A small LSP client for tests: starts `pyxray server`, sends requests and notifications with
//! Content-Length framing, and waits (with timeouts) for responses and notifications. Messages
//! that arrive while waiting for something else are kept for later waits.

use serde_json::{json, Value};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long to wait for anything the server should send. Generous: debug builds on a busy
/// two-core machine are slow, and a timeout means a failed test, not a slow one.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    backlog: Vec<Value>,
    next_id: i64,
    stderr: Arc<Mutex<String>>,
}

impl LspClient {
    /// Starts `pyxray server`, logging at `warn` (some tests look for warnings in its stderr);
    /// set `PYXRAY_TEST_LOG` to log more while debugging a test.
    pub fn spawn() -> LspClient {
        LspClient::spawn_with_env(&[])
    }

    /// Like [`Self::spawn`], with these environment variables set for the server (e.g. a `PATH`
    /// of its own).
    pub fn spawn_with_env(env: &[(&str, &OsStr)]) -> LspClient {
        let mut command = Command::new(crate::pyxray_bin());
        let log = std::env::var("PYXRAY_TEST_LOG").unwrap_or_else(|_| "warn".to_string());
        command.arg("server").env("RUST_BACKTRACE", "0").env("PYXRAY_LOG", log);
        command.envs(env.iter().copied());
        LspClient::spawn_command(command)
    }

    /// Starts any language server (`command` with its arguments) on piped stdio: the latency
    /// benchmark drives ruff's and ty's servers with the same client.
    pub fn spawn_command(mut command: Command) -> LspClient {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || read_messages(BufReader::new(stdout), tx));
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        LspClient { child, stdin, incoming, backlog: Vec::new(), next_id: 1, stderr }
    }

    /// Starts the server and completes `initialize`/`initialized`; returns the initialize result.
    pub fn initialized(encodings: &[&str], options: Value) -> (LspClient, Value) {
        let mut client = LspClient::spawn();
        let result = client.initialize(encodings, options);
        (client, result)
    }

    pub fn initialize(&mut self, encodings: &[&str], options: Value) -> Value {
        let capabilities =
            if encodings.is_empty() { json!({}) } else { json!({ "general": { "positionEncodings": encodings } }) };
        self.initialize_with(
            json!({ "processId": null, "rootUri": null, "capabilities": capabilities, "initializationOptions": options }),
        )
    }

    /// Completes `initialize` (with exactly these params) and `initialized`; returns the result.
    pub fn initialize_with(&mut self, params: Value) -> Value {
        let response = self.request("initialize", params);
        let result = response.get("result").cloned().unwrap_or_else(|| panic!("initialize failed: {response}"));
        self.notify("initialized", json!({}));
        result
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Whether the server writes `needle` to stderr within the timeout (stderr is read by another
    /// thread, so a line the server has written may not have arrived yet).
    pub fn stderr_contains(&self, needle: &str) -> bool {
        let deadline = Instant::now() + TIMEOUT;
        while !self.stderr().contains(needle) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("serialise");
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend(body);
        self.send_raw(&frame);
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).and_then(|_| stdin.flush()).expect("write to the server");
    }

    /// Sends a request and returns its id without waiting.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and waits for its response (the whole response object).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Waits for the response with this id.
    pub fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("response {id}"), |m| m.get("method").is_none() && m["id"] == json!(id))
    }

    /// Waits for a response whose id is `null` (the reply to a message that could not be read).
    pub fn null_id_response(&mut self) -> Value {
        self.wait_for("response with id null", |m| m.get("method").is_none() && m.get("id") == Some(&Value::Null))
    }

    /// Waits for a notification `method` whose params satisfy `pred`.
    pub fn notification(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_for(method, |m| m["method"] == method && m.get("id").is_none() && pred(&m["params"]))["params"]
            .clone()
    }

    /// Waits for a request `method` from the server (already answered with `null`); its params.
    pub fn server_request(&mut self, method: &str) -> Value {
        self.wait_for(method, |m| m["method"] == method && m.get("id").is_some())["params"].clone()
    }

    /// Like [`Self::notification`], but gives up after `timeout` and returns `None`.
    pub fn maybe_notification(
        &mut self,
        method: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        self.wait_within(timeout, |m| m["method"] == method && m.get("id").is_none() && pred(&m["params"]))
            .map(|m| m["params"].clone())
    }

    /// The diagnostics published for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let params =
            self.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri && p["version"] == json!(version));
        params["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "python", "version": version, "text": text } }),
        );
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    /// The document as the server holds it (`pyxray/debugText`): `{uri, version, text}` or null.
    pub fn server_text(&mut self, uri: &str) -> Value {
        let response = self.request("pyxray/debugText", json!({ "textDocument": { "uri": uri } }));
        response.get("result").cloned().unwrap_or_else(|| panic!("pyxray/debugText failed: {response}"))
    }

    /// Sends `shutdown` and `exit` and returns the exit status.
    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response.get("result"), Some(&Value::Null), "{response}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    /// Waits for the process to end (it must, within the timeout).
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit; stderr:\n{}", self.stderr());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's peak resident memory so far, in MiB (Linux `VmHWM`), if it can be read.
    pub fn peak_memory_mib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024)
    }

    /// Closes the server's stdin (end of input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        match self.wait_within(TIMEOUT, pred) {
            Some(m) => m,
            None => panic!(
                "timed out waiting for {what}; unconsumed messages: {:#?}\nserver stderr:\n{}",
                self.backlog,
                self.stderr()
            ),
        }
    }

    fn wait_within(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return Some(self.backlog.remove(i));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(m) => {
                    if let Some(what) = m.get("malformed_output") {
                        panic!("the server wrote malformed output: {what}\nstderr:\n{}", self.stderr());
                    }
                    if m.get("method").is_some() && m.get("id").is_some() {
                        // A request from the server: answer it so it never waits on us (with
                        // default settings for each item `workspace/configuration` asks about).
                        let id = m["id"].clone();
                        let result = match m["params"]["items"].as_array() {
                            Some(items) if m["method"] == "workspace/configuration" => json!(vec![Value::Null; items.len()]),
                            _ => Value::Null,
                        };
                        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
                    }
                    if pred(&m) {
                        return Some(m);
                    }
                    self.backlog.push(m);
                }
                // Disconnected: the server is gone and nothing more will come.
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- pyxray server stderr ---\n{}", self.stderr());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads framed messages from the server until its stdout closes. The server's output must be
/// well-formed: anything else is reported as a test failure through a sentinel message.
fn read_messages(mut reader: impl BufRead, tx: mpsc::Sender<Value>) {
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) => {
                    let _ = tx.send(json!({ "malformed_output": e.to_string() }));
                    return;
                }
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            match line.split_once(':') {
                Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                    length = value.trim().parse::<usize>().ok();
                }
                Some(_) => {}
                None => {
                    let _ = tx.send(json!({ "malformed_output": line }));
                    return;
                }
            }
        }
        let Some(length) = length else {
            let _ = tx.send(json!({ "malformed_output": "missing Content-Length" }));
            return;
        };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        match serde_json::from_slice(&body) {
            Ok(value) => {
                if tx.send(value).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(json!({ "malformed_output": e.to_string() }));
                return;
            }
        }
    }
}
