//! Who reports values: admins and secretaries for any organisation, a reporter for its own.

use uuid::Uuid;

use crate::{
    auth::{Identity, Role},
    domain::indicator::ValueRow,
    error::{ApiError, ApiResult},
};

pub use crate::auth::Reporters;

/// Whether the caller may write values at all; `Some(org)` limits a reporter to its own.
pub fn write_scope(identity: &Identity) -> ApiResult<Option<Uuid>> {
    if identity.has(Role::Admin) || identity.has(Role::Secretary) {
        return Ok(None);
    }
    if !identity.has(Role::Reporter) {
        return Err(ApiError::Forbidden(
            "reporting values needs admin, secretary or reporter".into(),
        ));
    }
    match identity.org {
        Some(org) => Ok(Some(org)),
        None => Err(ApiError::Forbidden(
            "a reporter token needs the `org` it reports for".into(),
        )),
    }
}

/// A reporter writes only its own organisation's values; admins and secretaries any.
pub fn may_report(identity: &Identity, rows: &[ValueRow]) -> ApiResult<()> {
    let Some(own) = write_scope(identity)? else {
        return Ok(());
    };
    if rows.iter().any(|r| r.organisation_id != own) {
        return Err(ApiError::Forbidden(
            "a reporter reports values for its own organisation only".into(),
        ));
    }
    Ok(())
}
