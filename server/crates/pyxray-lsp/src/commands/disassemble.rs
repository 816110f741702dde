//! The `pyxray.disassemble` command: `pyxray/disassemble` for clients that cannot send custom
//! requests. Arguments: `[{textDocument: {uri}, position?, qualname?}]` (the request's params),
//! or `[uri]` / `[uri, position]` as plain values.

use crate::handlers::disassemble::{self, DisassembleParams};
use crate::session::Session;
use futures::future::BoxFuture;
use futures::FutureExt;
use serde_json::{json, Value};
use std::sync::Arc;
use tower_lsp::jsonrpc::{Error, Result};

pub(crate) fn run(session: Arc<Session>, arguments: Vec<Value>) -> BoxFuture<'static, Result<Option<Value>>> {
    async move {
        let params = params(arguments)?;
        let result = disassemble::handle(&session, params).await?;
        Ok(Some(serde_json::to_value(result).map_err(|e| Error::invalid_params(e.to_string()))?))
    }
    .boxed()
}

fn params(arguments: Vec<Value>) -> Result<DisassembleParams> {
    let value = match arguments.as_slice() {
        [Value::String(uri)] => json!({ "textDocument": { "uri": uri } }),
        [Value::String(uri), position] => json!({ "textDocument": { "uri": uri }, "position": position }),
        [object @ Value::Object(_)] => object.clone(),
        other => {
            return Err(Error::invalid_params(format!(
                "pyxray.disassemble takes [{{textDocument: {{uri}}, position?}}] or [uri, position?], not {}",
                Value::Array(other.to_vec())
            )))
        }
    };
    serde_json::from_value(value).map_err(|e| Error::invalid_params(format!("pyxray.disassemble: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_argument_shapes_are_read() {
        let p = params(vec![json!("file:///a.py"), json!({"line": 1, "character": 2})]).unwrap();
        assert_eq!(p.text_document.uri.as_str(), "file:///a.py");
        assert_eq!(p.position.map(|p| (p.line, p.character)), Some((1, 2)));
        let p = params(vec![json!({"textDocument": {"uri": "file:///b.py"}, "qualname": "f"})]).unwrap();
        assert_eq!((p.position, p.qualname.as_deref()), (None, Some("f")));
        assert!(params(vec![]).is_err());
        assert!(params(vec![json!({"uri": "x"})]).is_err());
    }
}
