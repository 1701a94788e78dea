//! Request bodies with the API's rejections (shared with the registry: `zkgate-service`): the
//! failing field is named by its path (`transfer.amount`), and no request value is ever echoed
//! back (a witness value could be in it).
pub use zkgate_service::body::{parse_json, ApiBytes, ApiJson, BodyError};
