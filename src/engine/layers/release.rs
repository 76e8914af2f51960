//! Before the disks are written: the old system's arrays, containers and volume groups
//! running on them (the plan's `releases`, which the live system assembled, opened and
//! activated as it booted) are stopped, top first. Their data is not touched here: the
//! wipe that follows erases it.

use crate::events::Sink;
use crate::plan::{Plan, ReleaseAction};

use super::{LayerError, crypt, log, lvm, mdadm, while_busy};

/// Stops every release of `plan`, in the plan's order; the first failure ends it.
pub fn stop_old(plan: &Plan, ev: &dyn Sink) -> Result<(), LayerError> {
    for r in &plan.releases {
        let result = match &r.action {
            ReleaseAction::DeactivateGroup { group } => while_busy(|| lvm::deactivate(group, &[])),
            ReleaseAction::CloseCrypt { mapping } => while_busy(|| crypt::close(mapping)),
            ReleaseAction::StopArray { device } => while_busy(|| mdadm::stop(device)),
        };
        result.map_err(|source| LayerError::Release {
            what: r.what.clone(),
            source,
        })?;
        log(
            ev,
            format!("stopped {} (it ran on the target disks)", r.what),
        );
    }
    Ok(())
}
