//! The finish action after a successful install: reboot, power off, or nothing.

use crate::answer::Finish;
use crate::cmd::{Cmd, CmdError};
use crate::plan::Plan;

/// What the finish step will do for `plan`.
pub fn action(plan: &Plan) -> Finish {
    plan.system.finish
}

/// Reboots or powers off the machine (through systemd, which unmounts cleanly).
pub fn finish(action: Finish) -> Result<(), CmdError> {
    let verb = match action {
        Finish::None => return Ok(()),
        Finish::Reboot => "reboot",
        Finish::Poweroff => "poweroff",
    };
    Cmd::new("systemctl").arg(verb).run().map(|_| ())
}
