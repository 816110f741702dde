//! The `workspace/executeCommand` commands pyxray offers. Adding one means adding its file here
//! (a `run` function) and a line in [`COMMANDS`]; `initialize` advertises every name listed.

mod disassemble;

use crate::session::Session;
use futures::future::BoxFuture;
use serde_json::Value;
use std::sync::Arc;
use tower_lsp::jsonrpc::Result;

/// What a command does with its arguments.
pub(crate) type RunCommand = fn(Arc<Session>, Vec<Value>) -> BoxFuture<'static, Result<Option<Value>>>;

pub(crate) struct CommandSpec {
    /// The command's name, e.g. `pyxray.disassemble`.
    pub name: &'static str,
    pub run: RunCommand,
}

/// Every command.
pub(crate) static COMMANDS: &[CommandSpec] = &[CommandSpec { name: "pyxray.disassemble", run: disassemble::run }];

pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|c| c.name)
}

pub(crate) fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}
