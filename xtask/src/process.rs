//! Running a child process with captured output and an optional deadline. Both the oracle and
//! pyxray are run this way; a hung or crashed child is reported as data, never a panic.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a finished (or killed) child produced.
pub struct Finished {
    /// Exit code; `None` when killed by a signal or by the deadline.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
}

impl Finished {
    pub fn success(&self) -> bool {
        self.code == Some(0) && !self.timed_out
    }

    /// The last few non-empty lines of stderr, for error messages.
    pub fn stderr_tail(&self, lines: usize) -> String {
        let text = String::from_utf8_lossy(&self.stderr);
        let tail: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let start = tail.len().saturating_sub(lines);
        tail[start..].join(" | ")
    }

    /// A one-line description of why the run failed.
    pub fn failure_reason(&self, timeout: Option<Duration>) -> String {
        if self.timed_out {
            return match timeout {
                Some(t) => format!("timed out after {}s", t.as_secs()),
                None => "timed out".to_string(),
            };
        }
        let stderr = String::from_utf8_lossy(&self.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        if let Some(i) = lines.iter().position(|l| l.contains("panicked at")) {
            // Rust panics print the location on this line and the message on the next one.
            let message = lines.get(i + 1).map(|l| l.trim()).unwrap_or("");
            return format!("panic: {} {message}", lines[i].trim());
        }
        let code = match self.code {
            Some(code) => format!("exit {code}"),
            None => "killed by a signal".to_string(),
        };
        let tail = self.stderr_tail(2);
        if tail.is_empty() {
            code
        } else {
            format!("{code}: {tail}")
        }
    }
}

/// Runs `program args…` in `cwd` (if given), killing it after `timeout` (if given).
pub fn run(
    program: &Path,
    args: &[String],
    cwd: Option<&Path>,
    timeout: Option<Duration>,
) -> std::io::Result<Finished> {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    let mut child = command.spawn()?;
    // Both pipes are drained on their own threads so a chatty child never blocks on a full pipe.
    let mut stdout_pipe = child.stdout.take().expect("stdout is piped");
    let mut stderr_pipe = child.stderr.take().expect("stderr is piped");
    let stdout_thread = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout_pipe.read_to_end(&mut buf);
        buf
    });
    let stderr_thread = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if timeout.is_some_and(|t| started.elapsed() > t) {
            timed_out = true;
            let _ = child.kill();
            break child.wait()?;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout_thread.join().unwrap_or_default();
    let stderr = stderr_thread.join().unwrap_or_default();
    Ok(Finished {
        code: if timed_out { None } else { status.code() },
        stdout,
        stderr,
        timed_out,
    })
}
