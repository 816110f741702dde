//! Turning a frame's body into a JSON-RPC message, or into the error reply JSON-RPC prescribes:
//! `-32700 Parse error` for a body that is not JSON, `-32600 Invalid Request` for JSON that is
//! not a request, notification or response.

use serde_json::Value;
use tower_lsp::jsonrpc::{Error, ErrorCode, Id, Request, Response};

#[derive(Debug)]
pub(crate) enum Incoming {
    /// A request (with an id) or a notification (without).
    Request(Request),
    /// A response to a request the server sent to the client.
    Response(Response),
}

/// What a body turned out to be when it is not a usable message.
#[derive(Debug)]
pub(crate) enum Rejected {
    /// Reply with this error response.
    Reply(Response),
    /// Nothing can be replied (e.g. a malformed response to one of our requests); just log.
    Ignore(String),
}

pub(crate) fn decode(body: &[u8]) -> Result<Incoming, Rejected> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let error = Error { code: ErrorCode::ParseError, message: format!("Parse error: {e}").into(), data: None };
            return Err(Rejected::Reply(Response::from_error(Id::Null, error)));
        }
    };
    let Value::Object(mut object) = value else {
        let what =
            if value.is_array() { "batch requests are not supported" } else { "a message must be a JSON object" };
        return Err(Rejected::Reply(invalid_request(Id::Null, what.into())));
    };
    let id = object.get("id").and_then(|v| serde_json::from_value::<Id>(v.clone()).ok());
    if object.contains_key("method") {
        // `"params": null` is how some clients say "no params" (for `shutdown`, say); tower-lsp
        // would refuse it for methods that take none, so treat it as absent.
        if object.get("params") == Some(&Value::Null) {
            object.remove("params");
        }
        return match serde_json::from_value::<Request>(Value::Object(object)) {
            Ok(request) => Ok(Incoming::Request(request)),
            Err(e) => Err(Rejected::Reply(invalid_request(id.unwrap_or(Id::Null), e.to_string()))),
        };
    }
    if object.contains_key("id") && (object.contains_key("result") || object.contains_key("error")) {
        return match serde_json::from_value::<Response>(Value::Object(object)) {
            Ok(response) => Ok(Incoming::Response(response)),
            Err(e) => Err(Rejected::Ignore(format!("malformed response from the client: {e}"))),
        };
    }
    Err(Rejected::Reply(invalid_request(id.unwrap_or(Id::Null), "neither a request nor a response".into())))
}

fn invalid_request(id: Id, why: String) -> Response {
    let error =
        Error { code: ErrorCode::InvalidRequest, message: format!("Invalid Request: {why}").into(), data: None };
    Response::from_error(id, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> Value {
        match decode(body.as_bytes()) {
            Err(Rejected::Reply(r)) => serde_json::to_value(r).unwrap(),
            other => panic!("expected a reply for {body}, got {other:?}"),
        }
    }

    #[test]
    fn errors_per_json_rpc() {
        let r = reply("{not json");
        assert_eq!(r["error"]["code"], -32700);
        assert_eq!(r["id"], Value::Null);
        assert_eq!(reply("[1, 2]")["error"]["code"], -32600);
        assert_eq!(reply("42")["error"]["code"], -32600);
        let r = reply(r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#);
        assert_eq!((r["error"]["code"].as_i64(), r["id"].as_i64()), (Some(-32600), Some(7)));
        assert_eq!(reply(r#"{"id":3}"#)["id"], 3);
        assert_eq!(reply(&String::from_utf8_lossy(b"{\"a\":\"\xff\"}"))["error"]["code"], -32600);
    }

    #[test]
    fn requests_and_responses() {
        assert!(matches!(decode(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#), Ok(Incoming::Request(_))));
        assert!(matches!(decode(br#"{"jsonrpc":"2.0","method":"exit"}"#), Ok(Incoming::Request(_))));
        match decode(br#"{"jsonrpc":"2.0","id":2,"method":"shutdown","params":null}"#) {
            Ok(Incoming::Request(r)) => assert_eq!(r.params(), None),
            other => panic!("{other:?}"),
        }
        assert!(matches!(decode(br#"{"jsonrpc":"2.0","id":1,"result":null}"#), Ok(Incoming::Response(_))));
        assert!(matches!(decode(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}"), Err(Rejected::Reply(_))));
    }
}
