//! The finish action after a successful install: reboot, power off, or nothing.

use crate::answer::Finish;
use crate::cmd::{Cmd, CmdError};
use crate::plan::Plan;
use crate::plan::Transport;

/// What the finish step will do for `plan`: nothing when the target is an image file or a
/// loop device, since the machine does not boot from it.
pub fn action(plan: &Plan) -> Finish {
    match plan.target.disk.transport {
        Transport::Image | Transport::Loop => Finish::None,
        _ => plan.answer.install.finish,
    }
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
