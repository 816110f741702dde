//! One file per request or notification. Each handler reads or changes the session before its
//! first `.await` (the transport polls it once in arrival order), and does CPU work through
//! [`crate::scheduler`], never on the async runtime's threads.

pub(crate) mod code_action;
pub(crate) mod debug;
pub(crate) mod did_change;
pub(crate) mod did_change_configuration;
pub(crate) mod did_change_watched_files;
pub(crate) mod did_change_workspace_folders;
pub(crate) mod did_close;
pub(crate) mod did_open;
pub(crate) mod did_save;
pub(crate) mod disassemble;
pub(crate) mod execute_command;
pub(crate) mod hover;
pub(crate) mod initialize;
pub(crate) mod initialized;
pub(crate) mod shutdown;
pub(crate) mod status;
