//! One file per screen. The five that edit the answer (disk, network, users, security,
//! software) are components: their state owns the fields of the answer sections they show,
//! `State::update(key)` changes only that state and returns a [`Nav`](super::app::Nav)
//! the App carries out, and `State::apply(&mut Answer)` writes only their sections,
//! keeping what they cannot show. The others (welcome, summary, progress, finished,
//! popups) drive the App itself.

pub mod disk;
pub mod disk_pick;
mod disk_rows;
pub mod encryption;
pub mod finished;
pub mod keep;
pub mod network;
mod network_addr;
pub mod network_conn;
pub mod network_form;
mod network_list;
pub mod partitions;
pub mod popup;
pub mod progress;
pub mod security;
pub mod software;
pub mod summary;
pub mod users;
pub mod welcome;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::app::{App, Screen};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    match app.screen {
        Screen::Welcome => welcome::draw(frame, area, app),
        Screen::Disk => disk::draw(frame, area, app),
        Screen::Network => network::draw(frame, area, app),
        Screen::Users => users::draw(frame, area, app),
        Screen::Security => security::draw(frame, area, app),
        Screen::Software => software::draw(frame, area, app),
        Screen::Summary => summary::draw(frame, area, app),
        Screen::Progress => progress::draw(frame, area, app),
        Screen::Finished => finished::draw(frame, area, app),
    }
}
