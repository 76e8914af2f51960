//! Ctrl-C and SIGTERM during an install: remembered in a flag that the engine checks between
//! steps, so every guard (mounts, loop devices) unwinds normally and the exit code is 130.
//! dnf and post scripts run in process groups of their own (so they can be killed whole):
//! the signal does not reach them, so their streaming loop polls this flag and kills them.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: nix::libc::c_int) {
    // Only an atomic store: async-signal-safe.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Installs the handlers for SIGINT and SIGTERM; call once before the first destructive step.
pub fn install_handlers() {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only stores to an atomic.
        if let Err(e) = unsafe { sigaction(sig, &action) } {
            tracing::warn!("cannot handle {sig}: {e}");
        }
    }
}

/// True once SIGINT or SIGTERM arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// What Ctrl-C does, without a signal: the TUI's abort (raw mode turns Ctrl-C into a key).
pub fn request() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}
